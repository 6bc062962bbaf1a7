"""The supervision ledger: domain model and event-sourced application."""
