/// What the PostgreSQL test template carries besides the migrated schema, so that a database cloned from it
/// can be handed to test after test (`PostgresTestDatabases`): the schema `caseport_test_seed` with
///
/// - `caseport_test_rows.<table>`: a copy of every table the migrations wrote rows into (the applied
///   migrations, the counters, the change stamp);
/// - `sequences`: where each sequence stood;
/// - `fingerprint()`: a digest of the public schema's tables, columns, indexes, constraints, triggers,
///   functions and sequences, and `schema`, the template's own;
/// - `reset()`: false when the schema is no longer the template's (a test reverted a migration or altered
///   a table: the database is dropped instead); otherwise it empties every table, puts the copied rows and
///   the sequences back, forgets the planner's statistics, and answers true.
///
/// `reset()` turns triggers off while it puts rows back (`session_replication_role`), which takes a
/// superuser: the test server's user is one (scripts/start-test-postgres.sh); without it the databases
/// are cloned per test as before.
enum PostgresTestReset {
    static let schema = "caseport_test_seed"

    /// Run in a seeded template before `install`: the clone's copies held only the migrations' rows.
    static let uninstall: [String] = [
        "DROP SCHEMA caseport_test_seed CASCADE",
        "DROP SCHEMA caseport_test_rows CASCADE",
    ]

    /// Run in the template once it is migrated, one statement at a time.
    static let install: [String] = [
        "CREATE SCHEMA caseport_test_seed",
        "CREATE SCHEMA caseport_test_rows",
        """
        CREATE FUNCTION caseport_test_seed.fingerprint() RETURNS text LANGUAGE sql STABLE AS $$
          SELECT md5(coalesce(string_agg(line, E'\\n' ORDER BY line), '')) FROM (
            SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' '
                   || a.attnotnull::text || ' ' || a.attgenerated::text || ' ' || a.attidentity::text || ' '
                   || coalesce(pg_get_expr(d.adbin, d.adrelid), '') AS line
            FROM pg_class c
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
            UNION ALL
            SELECT 'index ' || pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = 'public'::regnamespace
            UNION ALL
            SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
            FROM pg_constraint WHERE connamespace = 'public'::regnamespace
            UNION ALL
            SELECT 'trigger ' || pg_get_triggerdef(t.oid) || ' ' || t.tgenabled::text
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
            UNION ALL
            SELECT 'function ' || p.oid::regprocedure::text || ' ' || md5(p.prosrc)
            FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
            UNION ALL
            SELECT 'sequence ' || c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S'
          ) lines
        $$
        """,
        "CREATE TABLE caseport_test_seed.sequences (name text PRIMARY KEY, last_value bigint NOT NULL, is_called boolean NOT NULL)",
        "CREATE TABLE caseport_test_seed.schema (fingerprint text NOT NULL)",
        """
        DO $$
        DECLARE t text; found boolean; v bigint; called boolean;
        BEGIN
          FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM public.%I)', t) INTO found;
            IF found THEN EXECUTE format('CREATE TABLE caseport_test_rows.%I AS TABLE public.%I', t, t); END IF;
          END LOOP;
          FOR t IN SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'S' LOOP
            EXECUTE format('SELECT last_value, is_called FROM public.%I', t) INTO v, called;
            INSERT INTO caseport_test_seed.sequences VALUES (t, v, called);
          END LOOP;
          INSERT INTO caseport_test_seed.schema SELECT caseport_test_seed.fingerprint();
        END $$
        """,
        """
        CREATE FUNCTION caseport_test_seed.reset() RETURNS boolean LANGUAGE plpgsql AS $$
        DECLARE t text; columns text; s record; occupied boolean; large text[] := '{}';
        BEGIN
          IF caseport_test_seed.fingerprint() IS DISTINCT FROM (SELECT fingerprint FROM caseport_test_seed.schema) THEN
            RETURN false;
          END IF;
          -- Triggers off: the change stamp's must not count the clean-up, and foreign keys (triggers too)
          -- ask for no order.
          SET LOCAL session_replication_role = replica;
          -- DELETE for the few small tables a test wrote: a TRUNCATE of every table took 0.5 s (a new file
          -- for each table and index). Only a table that grew past 64 kB is truncated, to shrink it.
          FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
            IF pg_relation_size(format('public.%I', t)::regclass) > 65536 THEN
              large := large || format('public.%I', t);
            ELSE
              EXECUTE format('SELECT EXISTS (SELECT 1 FROM public.%I)', t) INTO occupied;
              IF occupied THEN EXECUTE format('DELETE FROM public.%I', t); END IF;
            END IF;
          END LOOP;
          IF cardinality(large) > 0 THEN EXECUTE 'TRUNCATE ' || array_to_string(large, ', ') || ' CASCADE'; END IF;
          FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'caseport_test_rows' LOOP
            SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO columns FROM pg_attribute
            WHERE attrelid = format('public.%I', t)::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '';
            EXECUTE format('INSERT INTO public.%I (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM caseport_test_rows.%I',
                           t, columns, columns, t);
          END LOOP;
          FOR s IN SELECT * FROM caseport_test_seed.sequences LOOP
            PERFORM setval(format('public.%I', s.name)::regclass, s.last_value, s.is_called);
          END LOOP;
          -- A fresh clone has no statistics: plans must not depend on the previous test's data.
          DELETE FROM pg_statistic WHERE starelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace);
          RETURN true;
        END $$
        """,
    ]
}
