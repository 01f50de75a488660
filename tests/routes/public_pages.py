"""Routes of the public goals page (no login): everyone, signed in or not, may read it.
An unknown district slug answers 404: tests/test_public.py."""

from tests.routes import PERSONAS, Route

PUBLIC = dict.fromkeys(PERSONAS, 200)

ROUTES = {
    "public:district": Route(lambda w: ["midtown"], PUBLIC),
    "public:summary_pdf": Route(lambda w: ["midtown"], PUBLIC),
}
