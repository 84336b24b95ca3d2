-- The reference platform's schema for PostgreSQL pools, as ../shared/PLATFORM.md gives it:
-- db_servers (with its CHECK constraints and the updated_at trigger) and the columns of
-- instances that OpsTools reads. Tests and benchmarks load it into a database of their own.
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TABLE db_servers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name varchar(100) UNIQUE NOT NULL,
    host varchar(255) NOT NULL,
    port integer DEFAULT 5432,
    server_type varchar(20) NOT NULL CHECK (server_type IN ('platform', 'shared', 'dedicated')),
    max_instances integer DEFAULT 50,
    current_instances integer DEFAULT 0,
    swarm_service_id varchar(255),
    swarm_service_name varchar(255),
    node_placement varchar(255) DEFAULT 'node.labels.role==database',
    status varchar(20) DEFAULT 'provisioning'
        CHECK (status IN ('provisioning', 'initializing', 'active', 'full', 'maintenance', 'error', 'deprovisioning')),
    health_status varchar(20) DEFAULT 'unknown' CHECK (health_status IN ('healthy', 'degraded', 'unhealthy', 'unknown')),
    last_health_check timestamptz,
    health_check_failures integer DEFAULT 0,
    cpu_limit varchar(20) DEFAULT '2',
    memory_limit varchar(20) DEFAULT '4G',
    storage_path varchar(500),
    allocated_storage_gb integer,
    postgres_version varchar(20) DEFAULT '18',
    postgres_image varchar(255) DEFAULT 'postgres:18-alpine',
    admin_user varchar(100) DEFAULT 'postgres',
    admin_password varchar(255),
    allocation_strategy varchar(20) DEFAULT 'auto' CHECK (allocation_strategy IN ('auto', 'manual')),
    priority integer DEFAULT 100,
    dedicated_to_customer_id uuid,
    dedicated_to_instance_id uuid,
    provisioned_by varchar(255),
    provisioned_at timestamptz,
    last_allocated_at timestamptz,
    created_at timestamptz DEFAULT now(),
    updated_at timestamptz DEFAULT now(),
    CONSTRAINT db_servers_capacity CHECK (current_instances <= max_instances),
    CONSTRAINT db_servers_dedicated CHECK (
        server_type = 'dedicated' OR (dedicated_to_customer_id IS NULL AND dedicated_to_instance_id IS NULL))
);

CREATE TRIGGER db_servers_updated_at BEFORE UPDATE ON db_servers
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE instances (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id uuid NOT NULL,
    name varchar(255) NOT NULL,
    odoo_version varchar(20) DEFAULT '17.0',
    status varchar(30) DEFAULT 'creating' CHECK (status IN ('creating', 'starting', 'running', 'stopping', 'stopped',
        'restarting', 'updating', 'maintenance', 'error', 'terminated', 'container_missing', 'paused')),
    billing_status varchar(30),
    cpu_limit varchar(20),
    memory_limit varchar(20),
    storage_limit varchar(20) DEFAULT '10G',
    admin_email varchar(255),
    database_name varchar(255),
    subdomain varchar(255),
    service_id varchar(255),
    service_name varchar(255),
    internal_url varchar(500),
    external_url varchar(500),
    db_host varchar(255),
    db_port integer,
    db_name varchar(255),
    db_user varchar(255),
    db_type varchar(20) CHECK (db_type IN ('shared', 'dedicated')),
    db_server_id uuid REFERENCES db_servers (id),
    metadata jsonb,
    created_at timestamptz DEFAULT now(),
    updated_at timestamptz DEFAULT now()
);

CREATE TRIGGER instances_updated_at BEFORE UPDATE ON instances
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
