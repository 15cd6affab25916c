"""The key API and flow paths on both operational databases: SQLite (the default) and a real
PostgreSQL server (`LEADMILL_DATABASE_URL`). A command runs end to end, a recurring search keeps
only new leads, and the warehouse syncs from the database into its views."""

from __future__ import annotations

from storage.warehouse.catalog import ensure_warehouse, sync_leads, sync_tables
from tests.fixtures.examples import example
from tests.fixtures.servers import make_settings, start_in_thread, wait_until

ROUTE = "/api/agents/sales/leadGeneration"


def test_command_recurring_search_and_warehouse_on_each_database(
    tmp_path, prefect_server, sample_prospect_dir, database_url
):
    from flows.recurring_search import recurring_search

    settings = make_settings(tmp_path / "data", sample_prospect_dir, database_url=database_url)
    running = start_in_thread(settings)
    try:
        with running.client() as client:
            command_id = client.post(ROUTE, json=example(maxLeads=3)).json()["data"]["command_id"]

            def finished():
                data = client.get(f"{ROUTE}/status/{command_id}").json()["data"]
                return data if data["status"] != "processing" else None

            status = wait_until(finished, 120, "the command did not finish")
            assert status["status"] == "completed", status
            leads = client.get(f"{ROUTE}/leads/{command_id}").json()["data"]
            assert leads["pagination"]["total"] == 3

            schedule = client.post("/api/agents/sales/schedules", json={
                "name": "again", "command": example(maxLeads=3), "interval_seconds": 600,
            }).json()["data"]
            outcome = recurring_search(schedule["schedule_id"], str(settings.data_dir),
                                       timeout_seconds=120)
            assert outcome["state"] == "COMPLETED", outcome
            again = client.get(f"{ROUTE}/leads/{outcome['command_id']}").json()["data"]["leads"]
        first_ids = {lead["id"] for lead in leads["leads"]}
        assert again and first_ids.isdisjoint({lead["id"] for lead in again})
    finally:
        running.stop()

    url = settings.sqlalchemy_url
    assert url.startswith("postgresql") == (database_url is not None)
    ensure_warehouse(settings.warehouse_dir, settings.warehouse_db)
    sync_leads(url, settings.warehouse_dir)
    sync_tables(url, settings.warehouse_dir)
    import duckdb

    with duckdb.connect(str(settings.warehouse_db), read_only=True) as con:
        funnel = con.sql("SELECT command_id, status, found FROM command_funnel "
                         "ORDER BY created_at").fetchall()
        total = con.sql("SELECT count(*) FROM leads").fetchall()[0][0]
    assert funnel[0] == (command_id, "COMPLETED", 3)
    assert funnel[1][1:] == ("COMPLETED", len(again))
    assert total == 3 + len(again)
