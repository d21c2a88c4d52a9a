"""RyzeAPI newsletter module (/api/newsletter/*).

``model.py`` holds what the module stores and the rules it enforces, ``routes.py`` its ``Endpoint``
rows and thin handlers, ``verbs.py`` its mock-only ``/__mock__`` verbs; ``mockryze/modules.py``
registers it.
"""
