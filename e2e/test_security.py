"""Hostile input, end to end: nothing runs, nothing leaks across workspaces, no cross-site writes.

Every browser test here also fails on any dialog, console error or page error (see
e2e/browser_log.py): that is how injected script would show itself.
"""

import re

import httpx
import pytest

from e2e.api import Api
from e2e.file_factory import FileFactory
from e2e.live_server import LiveServer
from e2e.openai_mock import OpenAIMock
from e2e.store import Store
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
        "/": 200,
        chat.url: 200,
        f"/documents/{document['id']}/row": 200,
        f"/messages/{answer.message_id}/item": 200,
        "/c/no-such-chat": 404,
        "/no-such-page": 404,
        "/api/no-such-route": 404,
    }

    for url, status in pages.items():
        response = api.call("GET", url)
        assert response.status == status, url
        _expect_security_headers(response.headers, url)
    refused = api.call("DELETE", "/")  # a page, with a method it does not take
    assert (refused.status, refused.json()["error"]) == (
        405,
        {"code": "http_error", "message": "Method Not Allowed"},
    )
    _expect_security_headers(refused.headers, "DELETE /")


def _expect_security_headers(headers: dict[str, str], url: str) -> None:
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp, url
    assert "unsafe-eval" not in csp, url
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp, url
    assert headers["x-content-type-options"] == "nosniff", url
    assert headers["x-frame-options"] == "DENY", url
    assert headers["referrer-policy"] == "same-origin", url


def test_another_workspace_can_reach_nothing_of_mine(
    page, app, another_page, openai_mock: OpenAIMock, files: FileFactory
) -> None:
    app.documents.upload_and_wait(files.text("private.txt", "The vault code is 1234."))
    chat = app.new_chat()
    chat.send("What is the vault code?").expect_complete(re.compile("1234"))
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
    for method, path, body in attempts:
        assert stranger.call(method, path, body).status == 404, f"{method} {path}"
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


def test_state_changing_requests_from_other_sites_are_refused(app, api: Api) -> None:
    refused = "Requests from other sites are refused. Use DocChat from its own pages."

    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://[::1"},  # not even a URL
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # a sibling host is another site's page too
    ):
        response = api.call("POST", "/api/sessions", {}, headers=headers)
        assert response.status == 403, headers
        assert response.json()["error"] == {"code": "cross_site", "message": refused}

    own_origin = app.url.rstrip("/")
    assert api.call("POST", "/api/sessions", {}, headers={"Origin": own_origin}).status == 201
    # The browser's own word counts over Host, which a proxy in front may have rewritten.
    proxied = {"Origin": "https://docchat.example", "Sec-Fetch-Site": "same-origin"}
    assert api.call("POST", "/api/sessions", {}, headers=proxied).status == 201
    assert api.call("GET", "/api/sessions", headers={"Origin": "https://evil.example"}).ok


@pytest.mark.usefixtures("app")  # the browser has its workspace
def test_malformed_bodies_get_a_clear_4xx_and_leave_nothing_behind(api: Api, store: Store) -> None:
    session_id = api.call("POST", "/api/sessions", {}).json()["id"]
    json_type = {"Content-Type": "application/json"}
    multipart = {"Content-Type": "multipart/form-data; boundary=xyz"}
    cases = [
        ("/api/sessions", b"{not json", json_type, 422, "The request body is not valid JSON."),
        (
            "/api/sessions",
            b"[]",
            json_type,
            422,
            "Invalid request: Input should be a valid dictionary or object to extract fields from",
        ),
        (
            f"/api/sessions/{session_id}/messages",
            b'{"content": 5}',
            json_type,
            422,
            "Invalid request: content Input should be a valid string",
        ),
        (
            "/api/sessions",
            b'{"title": "\\ud800 lone surrogate"}',  # valid JSON; not storable as UTF-8
            json_type,
            422,
            "Invalid request: title Input should be valid Unicode text (it has an unpaired "
            "surrogate)",
        ),
        (
            "/api/documents",
            b"garbage",
            multipart,
            400,
            "The upload is not valid multipart/form-data.",
        ),
        (
            "/api/documents",
            b"--xyz\r\nnot a header\r\n\r\nhello\r\n--xyz--\r\n",
            multipart,
            400,
            "The upload is not valid multipart/form-data.",
        ),
        (
            "/api/documents",
            b"--xyz--\r\n",
            {"Content-Type": f"multipart/form-data; boundary={'b' * 300}"},  # over 256
            400,
            "The upload is not valid multipart/form-data.",
        ),
        (
            "/api/documents",
            b"plain",
            {"Content-Type": "text/plain"},
            422,
            "Send the file as multipart/form-data.",
        ),
    ]

    for path, body, headers, status, message in cases:
        response = api.call("POST", path, body, headers=headers)
        assert (response.status, response.json()["error"]["message"]) == (status, message), path

    assert (store.document_count(), store.temp_files()) == (0, [])


@pytest.mark.browser_errors(statuses=[404], reason="a chat page whose id has a NUL")
def test_text_with_a_nul_character_is_refused_and_an_id_with_one_is_not_found(
    chat, page, api: Api
) -> None:
    """PostgreSQL cannot hold NUL in text (SQLite can): both databases answer alike."""
    no_nul = "Input should be text without NUL characters"
    chat_url = f"/api/sessions/{chat.session_id}"
    before = api.call("GET", chat_url).json()
    cases = [
        ("POST", f"{chat_url}/messages", {"content": "a\x00b"}, 422, f"content {no_nul}"),
        ("PATCH", chat_url, {"title": "a\x00b"}, 422, f"title {no_nul}"),
        ("POST", "/api/sessions", {"title": "a\x00b"}, 422, f"title {no_nul}"),
        ("GET", "/api/sessions/a%00b", None, 404, "Not Found"),
        ("POST", "/api/messages/a%00b/stop", None, 404, "Not Found"),
        ("DELETE", "/api/documents/a%00b", None, 404, "Not Found"),
    ]

    for method, path, body, status, message in cases:
        response = api.call(method, path, body)
        error = response.json()["error"]["message"].removeprefix("Invalid request: ")
        assert (response.status, error) == (status, message), path

    assert api.call("GET", chat_url).json() == before
    assert len(api.call("GET", "/api/sessions").json()) == 1
    AppShell(page).open("/c/a%00b").expect_not_found("Page")
