from mockryze.cli import main

raise SystemExit(main())
