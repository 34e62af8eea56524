"""Jinja2 templates, autoescaped; the one place pages are rendered from."""

from importlib.resources import files

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import Response

templates = Jinja2Templates(directory=str(files("web") / "templates"))


def not_found_page(request: Request, what: str = "Page") -> Response:
    return templates.TemplateResponse(request, "404.html", {"what": what}, status_code=404)
