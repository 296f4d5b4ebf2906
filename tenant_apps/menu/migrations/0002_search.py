from django.db import migrations

# Generated search columns: they stay right whatever writes the row, need no trigger, and are
# copied with the table when a schema is cloned. The functions and text search
# configurations they use live in the public schema (shared_apps.textsearch).
FORWARD = r"""
ALTER TABLE menu_menuitem
    ADD COLUMN search_es tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('public.dysa_es'::regconfig, coalesce(name->>'es', '')), 'A') ||
        setweight(to_tsvector('public.dysa_es'::regconfig, coalesce(description->>'es', '')), 'B')
    ) STORED,
    ADD COLUMN search_en tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('public.dysa_en'::regconfig, coalesce(name->>'en', '')), 'A') ||
        setweight(to_tsvector('public.dysa_en'::regconfig, coalesce(description->>'en', '')), 'B')
    ) STORED,
    ADD COLUMN search_names text GENERATED ALWAYS AS (public.dysa_search_text(name)) STORED;
CREATE INDEX menu_item_search_es_idx ON menu_menuitem USING gin (search_es);
CREATE INDEX menu_item_search_en_idx ON menu_menuitem USING gin (search_en);
CREATE INDEX menu_item_search_names_trgm_idx ON menu_menuitem
    USING gin (search_names public.gin_trgm_ops);
"""

REVERSE = r"""
DROP INDEX IF EXISTS menu_item_search_names_trgm_idx;
DROP INDEX IF EXISTS menu_item_search_en_idx;
DROP INDEX IF EXISTS menu_item_search_es_idx;
ALTER TABLE menu_menuitem DROP COLUMN search_es, DROP COLUMN search_en, DROP COLUMN search_names;
"""


class Migration(migrations.Migration):
    dependencies = [("menu", "0001_initial"), ("textsearch", "0001_search_configurations")]

    operations = [migrations.RunSQL(FORWARD, reverse_sql=REVERSE)]
