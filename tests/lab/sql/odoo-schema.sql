-- An Odoo-shaped database for the OpsTools lab: the core tables an Odoo 17 database has, with the
-- columns that backup, restore, neutralize and verification read or write. Loaded by
-- tests/lab/odoo/odoo-instance.sh into a database of the test's own; data comes from that script.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE res_company (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    currency_id integer,
    create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC')
);

CREATE TABLE res_partner (
    id serial PRIMARY KEY,
    name varchar,
    email varchar,
    company_id integer REFERENCES res_company (id),
    active boolean DEFAULT true,
    create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC')
);

CREATE TABLE res_users (
    id serial PRIMARY KEY,
    login varchar NOT NULL UNIQUE,
    password varchar,
    partner_id integer NOT NULL REFERENCES res_partner (id),
    company_id integer NOT NULL REFERENCES res_company (id),
    active boolean DEFAULT true,
    share boolean DEFAULT false,
    create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC')
);

CREATE TABLE ir_module_module (
    id serial PRIMARY KEY,
    name varchar NOT NULL UNIQUE,
    state varchar(16),
    latest_version varchar,
    author varchar,
    application boolean DEFAULT false,
    create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC')
);

CREATE TABLE ir_config_parameter (
    id serial PRIMARY KEY,
    key varchar NOT NULL UNIQUE,
    value text NOT NULL,
    create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC')
);

CREATE TABLE ir_attachment (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    res_model varchar,
    res_id integer,
    type varchar NOT NULL DEFAULT 'binary',
    store_fname varchar,
    db_datas bytea,
    file_size integer,
    checksum varchar(40),
    mimetype varchar,
    index_content text,
    public boolean DEFAULT false,
    company_id integer REFERENCES res_company (id),
    create_date timestamp DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE INDEX ir_attachment_store_fname_idx ON ir_attachment (store_fname);

CREATE TABLE ir_mail_server (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    smtp_host varchar,
    smtp_port integer,
    active boolean DEFAULT true
);

CREATE TABLE fetchmail_server (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    server varchar,
    active boolean DEFAULT true
);

CREATE TABLE ir_cron (
    id serial PRIMARY KEY,
    cron_name varchar NOT NULL,
    interval_number integer DEFAULT 1,
    interval_type varchar DEFAULT 'days',
    active boolean DEFAULT true
);

CREATE TABLE ir_model_data (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    module varchar NOT NULL,
    model varchar NOT NULL,
    res_id integer,
    noupdate boolean DEFAULT false
);

CREATE TABLE mail_message (
    id serial PRIMARY KEY,
    model varchar,
    res_id integer,
    subject varchar,
    body text,
    author_id integer REFERENCES res_partner (id),
    date timestamp DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE INDEX mail_message_model_res_id_idx ON mail_message (model, res_id);
