# Production image: gunicorn serving the ledger as a non-root user.
# Run the projection process beside it from the same image: `ledger project`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LEDGER_DATABASE_URL=sqlite:////data/ledger.db \
    GUNICORN_CMD_ARGS="--bind 0.0.0.0:8000 --workers 2 --access-logfile -"

WORKDIR /app
COPY pyproject.toml README.md ./
COPY ledger ./ledger
COPY api ./api
COPY projections ./projections
COPY evidence ./evidence
COPY service ./service
COPY console ./console
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --home-dir /data --create-home ledger

USER ledger
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["gunicorn", "service.app:create_app()"]
