#!/bin/sh
# Runs once, as the superuser, when the database volume is created: the application's own role
# (no superuser, no CREATEDB, no CREATEROLE) owns the API's database and the tracker store's.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --set app_password="$APP_DB_PASSWORD" <<'SQL'
CREATE ROLE zhengwu_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
CREATE DATABASE zhengwu OWNER zhengwu_app;
CREATE DATABASE rasa OWNER zhengwu_app;
SQL
