"""The reply parser on a corpus of good and garbled model replies."""

import json

import pytest

from mlgym_nb.agents.model import ToolCall
from mlgym_nb.agents.parsing import FormatError, parse_text_reply, parse_tool_calls

GOOD = [
    ("I will look.\n```python\nprint(1)\n```", "print(1)", "I will look."),
    ("```py\nx = 1\n```\ntrailing words", "x = 1", "trailing words"),
    ("```\n%%writefile a.py\nprint(2)\n```", "%%writefile a.py\nprint(2)", ""),
    ("Done, scoring now.\n```python\n%validate\n```", "%validate", "Done, scoring now."),
    ("All good.\n%submit", "%submit", "All good."),
    ("Here:\n```python\nprint('```')\n```", "print('", None),  # a fence inside code ends the block
    ("```bash\nls\n```\nand then\n```python\nprint(3)\n```", "print(3)", None),  # other languages are prose
]

BAD = [
    (None, "Your reply was empty."),
    ("", "Your reply was empty."),
    ("   \n ", "Your reply was empty."),
    ("I think we should try a random forest.", "Your reply had no action."),
    ("```python\nprint(1)\n```\n```python\nprint(2)\n```", "Your reply had 2 code blocks; one action per turn."),
    ("```python\n\n```", "Your code block was empty."),
    ("```python\nprint('never closed')", "Your reply had no action."),
    ("%validate\n%submit", "Your reply had no action."),
]


@pytest.mark.parametrize("text,code,thought", GOOD)
def test_good_replies(text, code, thought):
    action = parse_text_reply(text)
    assert action.cell == code
    if thought is not None:
        assert action.thought == thought


def test_a_reply_cut_at_the_token_limit_says_so():
    with pytest.raises(FormatError, match="reached the output token limit before its code block was closed"):
        parse_text_reply("```python\ndef f(x):\n    return", cut=True)


@pytest.mark.parametrize("text,message", BAD)
def test_garbled_replies_get_a_correction(text, message):
    with pytest.raises(FormatError) as err:
        parse_text_reply(text)
    assert str(err.value).startswith(message)


def call(name, arguments):
    return ToolCall("c1", name, arguments)


def test_tool_calls():
    assert parse_tool_calls([call("run_cell", json.dumps({"code": "1+1"}))], "why").cell == "1+1"
    assert parse_tool_calls([call("submit", "")], None).cell == "%submit"
    assert parse_tool_calls([call("validate", "{}")], None).cell == "%validate"


@pytest.mark.parametrize("calls,message", [
    ([call("run_cell", '{"code": "1+')], "The arguments of run_cell are not valid JSON"),
    ([call("run_cell", '["x"]')], "The arguments of run_cell must be a JSON object, got list."),
    ([call("run_cell", '{"cell": "x"}')], "run_cell needs a non-empty string argument `code`."),
    ([call("run_cell", '{"code": "1"}'), call("submit", "{}")], "You called 2 tools at once"),
    ([call("rm_rf", "{}")], "There is no tool 'rm_rf'"),
])
def test_broken_tool_calls(calls, message):
    with pytest.raises(FormatError) as err:
        parse_tool_calls(calls, None)
    assert str(err.value).startswith(message)


def test_the_bounded_reply_schema_always_fits_the_token_limit():
    from mlgym_nb.agents.presets import LOCAL
    from mlgym_nb.agents.prompts import REPLY_SCHEMA, reply_schema

    assert reply_schema() is REPLY_SCHEMA and "maxLength" not in json.dumps(REPLY_SCHEMA)  # OpenAI strict mode
    schema = reply_schema(LOCAL["max_output_tokens"])
    longest = {name: "\n" * schema["properties"][name]["maxLength"] for name in ("thought", "code", "path")}
    longest.update(action="validate", start=-10**9, end=-10**9)
    # A token is at least one character: the longest reply of escaped characters is shorter than the limit.
    assert len(json.dumps(longest, indent=1)) < LOCAL["max_output_tokens"]
