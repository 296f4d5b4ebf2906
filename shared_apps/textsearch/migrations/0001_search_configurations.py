from django.db import migrations

# `unaccent()` is only STABLE (its dictionary could change), so it cannot appear in a
# generated column or an index expression; this wrapper pins the dictionary and is IMMUTABLE.
FORWARD = r"""
CREATE OR REPLACE FUNCTION public.dysa_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

-- Every text of a {"es": ..., "en": ...} object, lower-cased and without accents: what
-- trigram (typo tolerant) search compares against.
CREATE OR REPLACE FUNCTION public.dysa_search_text(jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT lower(public.dysa_unaccent(coalesce(
        (SELECT string_agg(value, ' ') FROM jsonb_each_text(coalesce($1, '{}'::jsonb))), ''))) $$;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config
                   WHERE cfgname = 'dysa_es' AND cfgnamespace = 'public'::regnamespace) THEN
        CREATE TEXT SEARCH CONFIGURATION public.dysa_es (COPY = pg_catalog.spanish);
        ALTER TEXT SEARCH CONFIGURATION public.dysa_es
            ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, pg_catalog.spanish_stem;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config
                   WHERE cfgname = 'dysa_en' AND cfgnamespace = 'public'::regnamespace) THEN
        CREATE TEXT SEARCH CONFIGURATION public.dysa_en (COPY = pg_catalog.english);
        ALTER TEXT SEARCH CONFIGURATION public.dysa_en
            ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, pg_catalog.english_stem;
    END IF;
END
$$;
"""

REVERSE = r"""
DROP TEXT SEARCH CONFIGURATION IF EXISTS public.dysa_es;
DROP TEXT SEARCH CONFIGURATION IF EXISTS public.dysa_en;
DROP FUNCTION IF EXISTS public.dysa_search_text(jsonb);
DROP FUNCTION IF EXISTS public.dysa_unaccent(text);
"""


class Migration(migrations.Migration):
    dependencies = [("tenants", "0002_postgres_extensions")]

    operations = [migrations.RunSQL(FORWARD, reverse_sql=REVERSE)]
