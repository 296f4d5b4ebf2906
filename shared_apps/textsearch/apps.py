from django.apps import AppConfig


class TextsearchConfig(AppConfig):
    """Public-schema SQL objects for accent- and typo-tolerant search (no tables).

    Text search configurations and the immutable unaccent wrapper live once in the public
    schema (on every tenant's search_path) so that tenant tables can use them in generated
    columns and indexes, and so that copying a tenant schema never copies them.
    """

    name = "shared_apps.textsearch"
    label = "textsearch"
    verbose_name = "Text search configuration"
