# PostgreSQL 15 with pg_auto_failover and pgbouncer, the packages scripts/pg-failover and
# scripts/pg-bouncer use (Debian bookworm's). One image for the monitor, the two nodes and
# pgbouncer; docker-compose.yml says which runs where.
FROM debian:bookworm-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       postgresql-15 postgresql-15-auto-failover pgbouncer \
    && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    XDG_CONFIG_HOME=/var/lib/postgresql/data/config \
    XDG_DATA_HOME=/var/lib/postgresql/data/share
USER postgres
WORKDIR /var/lib/postgresql
