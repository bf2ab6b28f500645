from django.db import DatabaseError


def test_healthz_says_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_healthz_is_503_when_the_database_is_down(client, db, monkeypatch):
    class DownDatabase:
        def cursor(self):
            raise DatabaseError("connection refused")

    monkeypatch.setattr("practice.views.people.connection", DownDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
