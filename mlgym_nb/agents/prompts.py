"""The agent's system prompt and the reply formats it teaches: native tools, text, or JSON."""

SYSTEM = """You are an ML research agent working in a Jupyter notebook. You improve a baseline solution to a \
research task by running Python cells, one per turn, in a persistent kernel: variables, imports and \
files survive between cells. Work in small steps: read the baseline, validate it early to learn the \
score to beat, change one thing, validate again.

- The working directory /workspace holds the baseline files; read-only data is in /data.
- Only the files the task names are graded: write your solution into them (a function defined in the \
kernel is not graded).
- To rewrite a whole file, run a cell that starts with `%%writefile FILE`; to replace lines START to END \
of a file, a cell that starts with `%%edit FILE START-END`. `!cmd` runs a shell command. `%docs QUERY` \
searches the documentation of the installed packages and of the task.
- `%validate` scores your current files on a development split. Use it to compare ideas.
- `%submit` scores your files on the held-out test split and ENDS the episode. Submit once, when done.
- Outputs are shortened when long; print summaries, not whole data sets.
- When a budget runs out, your current workspace is graded as it is."""

TEXT_FORMAT = """Reply in two parts: first a few sentences of reasoning, then the cell to run, inside one fenced code \
block that opens with a line of three backticks followed by the word python and closes with a line of three \
backticks. Exactly one block per reply. To score your work, the block holds only `%validate`; to finish, only \
`%submit`."""

JSON_FORMAT = """Reply with one JSON object: {"thought": your reasoning in a few sentences, "action": what to \
do, "code": Python source only (no prose), "path": a file, "start": a line, "end": a line}. The actions:
- "run": run `code` as a cell;
- "write": replace the whole file `path` with `code`;
- "edit": replace lines `start` to `end` (1-based, inclusive) of `path` with `code`;
- "validate": score your files on the development split (`code` empty);
- "submit": score them on the test split and end the episode (`code` empty)."""

#: Appended to each observation in the text protocol: small models follow a format they just read.
NEXT = "\n\nYour next cell? Reply with short reasoning, then exactly one ```python block."
NEXT_JSON = "\n\nYour next action? Reply with one JSON object."

#: The JSON reply, as a schema for servers that constrain decoding to it (llama.cpp, OpenAI's structured output).
REPLY_SCHEMA = {
    "type": "object",
    "properties": {
        "thought": {"type": "string"},
        "action": {"type": "string", "enum": ["run", "write", "edit", "validate", "submit"]},
        "code": {"type": "string"},
        "path": {"type": "string"},
        "start": {"type": "integer"},
        "end": {"type": "integer"},
    },
    "required": ["thought", "action", "code"],
    "additionalProperties": False,
}


def reply_schema(max_output_tokens: int | None = None) -> dict:
    """REPLY_SCHEMA, with ``max_output_tokens`` its strings bounded so that the whole reply fits: a small model
    otherwise rambles in its thought until the token limit cuts the JSON. A token is at least one character
    and an escaped character (``\\n``, ``\\"``) takes two, so the bounds hold for text and code; only
    ``\\uXXXX`` escapes could overrun them. For servers whose constrained decoding honours ``maxLength``
    (llama.cpp); OpenAI's strict mode takes no length constraints."""
    if max_output_tokens is None:
        return REPLY_SCHEMA
    properties = dict(REPLY_SCHEMA["properties"])
    properties["thought"] = {"type": "string", "maxLength": 200}
    properties["path"] = {"type": "string", "maxLength": 100}
    properties["code"] = {"type": "string", "maxLength": max(max_output_tokens // 2 - 400, 100)}
    return {**REPLY_SCHEMA, "properties": properties}


REPEATED = ("You sent the same cell as last time and it gave the same output: repeating it will not help. Try "
            "something different: read a file, change the solution, or %validate.")

TOOLS = [
    {"type": "function", "function": {
        "name": "run_cell", "description": "Run one Python cell in the notebook's kernel and see its output.",
        "parameters": {"type": "object", "properties": {"code": {"type": "string", "description": "cell source"}},
                       "required": ["code"]}}},
    {"type": "function", "function": {
        "name": "docs_search", "description": "Search the documentation of the kernel's packages (%docs QUERY).",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}},
    {"type": "function", "function": {
        "name": "validate", "description": "Score the current workspace on the development split.",
        "parameters": {"type": "object", "properties": {}}}},
    {"type": "function", "function": {
        "name": "submit", "description": "Score the workspace on the test split and end the episode.",
        "parameters": {"type": "object", "properties": {}}}},
]
