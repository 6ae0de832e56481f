"""A minimal HTTP client for tests that speak to the fake directly (no Google library)."""

from __future__ import annotations

from typing import Any

import requests

from .fake import FakeGoogle


class Client:
    """Calls the fake as one user, the way a Google client library would."""

    def __init__(
        self, fake: FakeGoogle, email: str = "secretary@example.com",
        scopes: list[str] | tuple[str, ...] | None = None,
    ) -> None:
        self.fake = fake
        self.email = email
        self.token = fake.token_for(email, scopes)
        self.session = requests.Session()

    def call(
        self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None
    ) -> requests.Response:
        return self.session.request(
            method,
            self.fake.url + path,
            json=body,
            params=params,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=10,
        )

    def ok(
        self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None
    ) -> Any:
        """Call and require success; returns the JSON answer (None for 204)."""
        answer = self.call(method, path, body, params)
        assert answer.status_code in (200, 204), answer.text
        return answer.json() if answer.content else None

    def new_form(self, title: str = "Quiz", quiz: bool = True, **params: Any) -> str:
        form_id: str = self.ok("POST", "/v1/forms", {"info": {"title": title}}, params)["formId"]
        if quiz:
            self.ok(
                "POST",
                f"/v1/forms/{form_id}:batchUpdate",
                {
                    "requests": [
                        {
                            "updateSettings": {
                                "settings": {"quizSettings": {"isQuiz": True}},
                                "updateMask": "quizSettings.isQuiz",
                            }
                        }
                    ]
                },
            )
        return form_id

    def add_choice(
        self,
        form_id: str,
        options: list[str],
        correct: list[str] | None = None,
        kind: str = "RADIO",
        required: bool = False,
        points: int = 1,
        index: int = 0,
    ) -> str:
        """Add a choice question; returns its questionId."""
        question: dict[str, Any] = {
            "required": required,
            "choiceQuestion": {"type": kind, "options": [{"value": v} for v in options]},
        }
        if correct is not None:
            question["grading"] = {
                "pointValue": points,
                "correctAnswers": {"answers": [{"value": v} for v in correct]},
            }
        reply = self.ok(
            "POST",
            f"/v1/forms/{form_id}:batchUpdate",
            {
                "requests": [
                    {
                        "createItem": {
                            "item": {"title": "Q", "questionItem": {"question": question}},
                            "location": {"index": index},
                        }
                    }
                ]
            },
        )
        return str(reply["replies"][0]["createItem"]["questionId"][0])
