"""Hostile input, end to end: nothing runs, nothing leaks across workspaces, no cross-site writes.

Every browser test here also fails on any dialog, console error or page error (see
e2e/harness/reports/browser_log.py): that is how injected script would show itself.
"""

import re
from typing import Any

import httpx
import pytest

from e2e.harness.clients.api import Api
from e2e.harness.clients.sse import StreamClient
from e2e.harness.content.file_factory import FileFactory
from e2e.harness.model.openai_mock import OpenAIMock
from e2e.harness.server.live_server import LiveServer
from e2e.harness.server.stored import Store
from pages import AppShell

HOSTILE_ANSWER = (
    "Script <script>alert('answer')</script> and <img src=x onerror=alert('img')> and "
    "<svg onload=alert('svg')><circle r=1 /></svg>.\n\n"
    "[click me](javascript:alert('link')) ![pic](javascript:alert('image')) "
    "<a href=\"javascript:alert('raw')\">raw</a> "
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) "
    "[entity](&#106;avascript:alert('entity')) [case](JaVaScRiPt:alert('case')) "
    "<javascript:alert('autolink')> [reference][evil] "
    "<iframe src=\"javascript:alert('frame')\"></iframe> "
    "[fine](https://example.com/docs)\n\n"
    "[evil]: javascript:alert('reference')"
)
HOSTILE_DOCUMENT = "Harbour notes <script>alert('doc')</script> <img src=x onerror=alert(3)>."
HOSTILE_TITLE = "<img src=x onerror=alert('title')> harbour?"


def test_script_in_answers_documents_and_titles_never_runs(
    app, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    app.documents.upload_and_wait(files.text("notes.txt", HOSTILE_DOCUMENT))
    openai_mock.reply([*re.findall(r"\s*\S+", HOSTILE_ANSWER), " [1]"])
    chat = app.new_chat()

    answer = chat.send(HOSTILE_TITLE)

    answer.expect_complete_containing("Script", "<script>alert('answer')</script>", "fine")
    answer.expect_no_active_content()
    answer.open_citation("[1] notes.txt", HOSTILE_DOCUMENT)
    chat.expect_title(HOSTILE_TITLE)
    chat.reload()  # and once more, rendered by the server
    chat.expect_title(HOSTILE_TITLE)
    chat.messages.last_answer.expect_no_active_content()
    chat.messages.last_answer.open_citation("[1] notes.txt", HOSTILE_DOCUMENT)


def test_every_page_and_error_sends_a_strict_content_security_policy_and_security_headers(
    app, api: Api, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    app.documents.upload_and_wait(files.text("notes.txt", "Harbour notes."))
    chat = app.new_chat()
    answer = chat.send("Harbour?")
    answer.expect_complete("According to [1]: Harbour notes.")
    document = api.document_named("notes.txt")
    pages = {
        ("GET", "/"): 200,
        ("GET", chat.url): 200,
        ("GET", f"/documents/{document['id']}/row"): 200,
        ("GET", f"/messages/{answer.message_id}/item"): 200,
        ("GET", "/c/no-such-chat"): 404,
        ("GET", "/no-such-page"): 404,
        ("GET", "/api/no-such-route"): 404,
        ("DELETE", "/"): 405,  # a page, with a method it does not take
    }

    answered = {(method, url): api.call(method, url) for method, url in pages}

    # Every page's problems at once: one missing header does not hide another page's.
    assert {page: r.status for page, r in answered.items()} == pages
    assert {page: _security_header_problems(r.headers) for page, r in answered.items()} == (
        dict.fromkeys(pages, ())
    )
    assert answered["DELETE", "/"].json()["error"] == {
        "code": "http_error",
        "message": "Method Not Allowed",
    }


def _security_header_problems(headers: dict[str, str]) -> tuple[str, ...]:
    csp = headers["content-security-policy"]
    wanted = {
        "scripts from its own origin only": "script-src 'self'" in csp,
        "no inline script": "unsafe-inline" not in csp,
        "no eval": "unsafe-eval" not in csp,
        "no plugins": "object-src 'none'" in csp,
        "no framing by CSP": "frame-ancestors 'none'" in csp,
        "no sniffing": headers["x-content-type-options"] == "nosniff",
        "no framing by X-Frame-Options": headers["x-frame-options"] == "DENY",
        "referrer kept to its own origin": headers["referrer-policy"] == "same-origin",
    }
    return tuple(rule for rule, kept in wanted.items() if not kept)


def test_another_workspace_can_reach_nothing_of_mine(
    page, app, another_page, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    app.documents.upload_and_wait(files.text("private.txt", "The vault code is 1234."))
    chat = app.new_chat()
    chat.send("What is the vault code?").expect_complete(
        "According to [1]: The vault code is 1234."
    )
    mine = Api(page.request)
    document = mine.document_named("private.txt")
    answer = mine.call("GET", f"/api/sessions/{chat.session_id}").json()["messages"][-1]
    stranger = Api(another_page.request)

    attempts = [
        ("GET", f"/api/documents/{document['id']}", None),
        ("DELETE", f"/api/documents/{document['id']}", None),
        ("GET", f"/documents/{document['id']}/row", None),
        ("GET", f"/api/sessions/{chat.session_id}", None),
        ("PATCH", f"/api/sessions/{chat.session_id}", {"title": "Mine now"}),
        ("DELETE", f"/api/sessions/{chat.session_id}", None),
        ("POST", f"/api/sessions/{chat.session_id}/messages", {"content": "Tell me"}),
        ("GET", f"/api/messages/{answer['id']}/events", None),
        ("POST", f"/api/messages/{answer['id']}/stop", None),
        ("POST", f"/api/messages/{answer['id']}/retry", None),
        ("GET", f"/messages/{answer['id']}/item", None),
        ("GET", f"/c/{chat.session_id}", None),
    ]
    answered = {
        f"{method} {path}": stranger.call(method, path, body).status
        for method, path, body in attempts
    }
    assert answered == dict.fromkeys(answered, 404)  # every one that is not, at once
    assert stranger.documents() == []
    assert stranger.call("GET", "/api/sessions").json() == []
    theirs = AppShell(another_page).open()
    theirs.documents.expect_documents()
    theirs.sidebar.expect_chats()
    their_chat = theirs.new_chat()  # nor can they point their own chat at my document
    choose_mine = {"document_ids": [document["id"]]}
    assert (
        stranger.call("PATCH", f"/api/sessions/{their_chat.session_id}", choose_mine).status == 404
    )
    their_chat.send("What is the vault code?").expect_complete(
        "I could not find anything about that in your documents."
    )
    assert "1234" not in openai_mock.last_request.prompt

    chat.reload()  # all of it still mine, untouched
    chat.expect_title("What is the vault code?")
    chat.messages.expect_conversation(("What is the vault code?", re.compile("1234")))
    chat.documents.expect_documents("private.txt")


def test_the_workspace_cookie_is_signed_httponly_and_lax_and_tampering_starts_afresh(
    app, context, files: FileFactory
) -> None:
    app.documents.upload_and_wait(files.text("mine.txt", "Only mine."))
    (cookie,) = context.cookies()
    assert cookie["name"] == "docchat_workspace"
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"

    forged = cookie["value"].rsplit(".", 1)[0] + ".forged-signature"
    context.add_cookies([{**cookie, "value": forged}])
    app.reload()

    app.documents.expect_documents()  # a fresh, empty workspace
    (fresh,) = context.cookies()
    assert fresh["value"] not in (cookie["value"], forged)


def test_behind_an_https_proxy_the_workspace_cookie_is_only_sent_over_https(
    live_server: LiveServer,
) -> None:
    """A TLS-terminating proxy on the same machine says so with X-Forwarded-Proto (uvicorn
    trusts it from 127.0.0.1 by default); the cookie must then never travel in clear."""
    plain = httpx.get(live_server.url)
    behind_https = httpx.get(live_server.url, headers={"X-Forwarded-Proto": "https"})

    assert "secure" not in plain.headers["set-cookie"].lower()
    assert "; Secure" in behind_https.headers["set-cookie"]


CROSS_SITE = {
    "code": "cross_site",
    "message": "Requests from other sites are refused. Use DocChat from its own pages.",
}


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://[::1"},  # not even a URL
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # a sibling host is another site's page too
    ],
    ids=["another origin", "a null origin", "an origin not a URL", "cross-site", "same-site"],
)
def test_state_changing_requests_from_other_sites_are_refused(
    client: StreamClient, headers: dict[str, str]
) -> None:
    response = client.http.post("/api/sessions", json={}, headers=headers)

    assert (response.status_code, response.json()["error"]) == (403, CROSS_SITE)
    assert client.http.get("/api/sessions", headers=headers).json() == []  # reading is fine


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "{own}"},
        # The browser's own word counts over Host, which a proxy in front may have rewritten.
        {"Origin": "https://docchat.example", "Sec-Fetch-Site": "same-origin"},
    ],
    ids=["its own origin", "same-origin behind a proxy"],
)
def test_requests_from_docchats_own_pages_are_taken(
    client: StreamClient, live_server: LiveServer, headers: dict[str, str]
) -> None:
    own = {name: value.format(own=live_server.url) for name, value in headers.items()}

    assert client.http.post("/api/sessions", json={}, headers=own).status_code == 201


JSON = {"Content-Type": "application/json"}
MULTIPART = {"Content-Type": "multipart/form-data; boundary=xyz"}
NOT_MULTIPART = "The upload is not valid multipart/form-data."


@pytest.mark.parametrize(
    ("path", "body", "headers", "status", "message"),
    [
        ("/api/sessions", b"{not json", JSON, 422, "The request body is not valid JSON."),
        # JSON is UTF-8 text (RFC 8259): other bytes are no JSON either.
        ("/api/sessions", b'{"title": "\xff"}', JSON, 422, "The request body is not valid JSON."),
        (
            "/api/sessions",
            b"[]",
            JSON,
            422,
            "Invalid request: Input should be a valid dictionary or object to extract fields from",
        ),
        (
            "/api/sessions/{chat}/messages",
            b'{"content": 5}',
            JSON,
            422,
            "Invalid request: content Input should be a valid string",
        ),
        (
            "/api/sessions",
            b'{"title": "\\ud800 lone surrogate"}',  # valid JSON; not storable as UTF-8
            JSON,
            422,
            "Invalid request: title Input should be valid Unicode text (it has an unpaired "
            "surrogate)",
        ),
        ("/api/documents", b"garbage", MULTIPART, 400, NOT_MULTIPART),
        (
            "/api/documents",
            b"--xyz\r\nnot a header\r\n\r\nhello\r\n--xyz--\r\n",
            MULTIPART,
            400,
            NOT_MULTIPART,
        ),
        (
            "/api/documents",
            b"--xyz--\r\n",
            {"Content-Type": f"multipart/form-data; boundary={'b' * 300}"},  # over 256
            400,
            NOT_MULTIPART,
        ),
        (
            "/api/documents",
            b"plain",
            {"Content-Type": "text/plain"},
            422,
            "Send the file as multipart/form-data.",
        ),
    ],
    ids=[
        "not JSON",
        "not UTF-8",
        "JSON not an object",
        "content not text",
        "a lone surrogate",
        "not multipart",
        "a part without headers",
        "a boundary too long",
        "not a form",
    ],
)
def test_malformed_bodies_get_a_clear_4xx_and_leave_nothing_behind(
    client: StreamClient,
    store: Store,
    path: str,
    body: bytes,
    headers: dict[str, str],
    status: int,
    message: str,
) -> None:
    url = path.format(chat=client.new_chat())

    response = client.http.post(url, content=body, headers=headers)

    assert (response.status_code, response.json()["error"]["message"]) == (status, message)
    assert (store.document_count(), store.temp_files()) == (0, [])
    assert len(client.http.get("/api/sessions").json()) == 1  # only the one it was sent to


NO_NUL = "Input should be text without NUL characters"


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        ("POST", "/api/sessions/{chat}/messages", {"content": "a\x00b"}, 422, f"content {NO_NUL}"),
        ("PATCH", "/api/sessions/{chat}", {"title": "a\x00b"}, 422, f"title {NO_NUL}"),
        ("POST", "/api/sessions", {"title": "a\x00b"}, 422, f"title {NO_NUL}"),
        ("GET", "/api/sessions/a%00b", None, 404, "Not Found"),
        ("POST", "/api/messages/a%00b/stop", None, 404, "Not Found"),
        ("DELETE", "/api/documents/a%00b", None, 404, "Not Found"),
    ],
    ids=[
        "a message",
        "a new title",
        "a new chat's title",
        "a chat's id",
        "an answer's id",
        "a document's id",
    ],
)
def test_text_with_a_nul_character_is_refused_and_an_id_with_one_is_not_found(
    client: StreamClient, method: str, path: str, body: Any, status: int, message: str
) -> None:
    """PostgreSQL cannot hold NUL in text (SQLite can): both databases answer alike."""
    chat_id = client.new_chat()
    before = client.http.get(f"/api/sessions/{chat_id}").json()

    response = client.http.request(method, path.format(chat=chat_id), json=body)

    error = response.json()["error"]["message"].removeprefix("Invalid request: ")
    assert (response.status_code, error) == (status, message)
    assert client.http.get(f"/api/sessions/{chat_id}").json() == before  # nothing of it changed
    assert len(client.http.get("/api/sessions").json()) == 1  # and no chat was added


@pytest.mark.browser_errors(statuses=[404], reason="a chat page whose id has a NUL")
def test_a_chat_page_whose_id_has_a_nul_is_not_found(app) -> None:
    app.open("/c/a%00b").expect_not_found("Page")
