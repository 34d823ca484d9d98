"""Turns the statements the API ran for each request into pgbench scripts: PostgreSQL alone running the same SQL.

    python3 ceilings.py SERVER_LOG_SEGMENT OUT_DIR

run.sh asks the API one request at a time with log_min_duration_statement = 0 on its connections, and before each
request runs `SELECT 'hn-bench <scenario> <n>'` from psql, so the log reads: a marker, then the statements of that
request. Every request becomes OUT_DIR/<scenario>/<n>.sql, its executed statements with each parameter a pgbench
variable, and <n>.vars, the variables' values (`name=value` lines for pgbench -D). pgbench -M prepared then prepares
each statement once per connection and sends the values as parameters, as Npgsql does, and rotates through the
requests of a scenario as wrk does through its URLs.

The statement's own string literals are written as E'' strings with every ':' escaped (\\x3a), so pgbench takes none
of them for a variable. A parameter is cast by its value's shape (timestamp, uuid, array, number, text): pgbench sends
untyped values. Background work the API ran meanwhile (leases, the change feed, relabeller, webhooks) is left out: it
writes, runs in a transaction or names its own tables.
"""
import os
import re
import sys

ENTRY = re.compile(r'^(?=\S.* (?:LOG|DETAIL|ERROR|WARNING|STATEMENT|HINT|CONTEXT):  )', re.M)
EXECUTE = re.compile(r' LOG:  duration: [0-9.]+ ms  (?:execute [^:]*|statement): (.*)', re.S)
PARAMETER = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")
MARKER = re.compile(r"^SELECT 'hn-bench (\S+) (\d+)'")
PID = re.compile(r'^\S+ \S+ \S+ \[(\d+)\]')
BACKGROUND = re.compile(r'\b(nodes|content_events|read_model_relabels|webhook\w*|outbox\w*|idempotency\w*)\b|pg_notify|pg_last_wal')
TIMESTAMP = re.compile(r'^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d(:?\d\d)?|Z)?$')
UUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', re.I)


def cast(text):
    """The cast a logged value's shape calls for: a timestamp, a uuid, an array of either or of text, a number (left to
    its place, as LIMIT takes it), else text."""
    if TIMESTAMP.match(text):
        return '::timestamptz'
    if UUID.match(text):
        return '::uuid'
    if text.startswith('{') and text.endswith('}'):
        items = [item for item in text[1:-1].split(',') if item]
        return '::uuid[]' if items and all(UUID.match(item) for item in items) else '::text[]'
    return '' if re.fullmatch(r'-?\d+(\.\d+)?', text) else '::text'


def escape_literals(sql):
    """The statement's own string literals with ':' escaped (an E'' string reads \\x3a as ':'), so pgbench sees none."""
    def one(match):
        body = match.group(0)[1:-1]
        return "E'" + body.replace('\\', '\\\\').replace(':', '\\x3a') + "'" if ':' in body else match.group(0)
    return re.sub(r"(?<![A-Za-z0-9_])'(?:[^']|'')*'", one, sql)


def parameterised(sql, parameters, prefix):
    """The statement with each $n a pgbench variable (prefix_n, cast by its value's shape) and the variables' values;
    NULL stays a literal (pgbench has no NULL variable)."""
    values = {int(number): value for number, value in PARAMETER.findall(parameters)}
    variables = {}

    def one(match):
        value = values[int(match.group(1))]
        if value == 'NULL':
            return 'NULL'
        text = value[1:-1].replace("''", "'")
        name = f'{prefix}_{match.group(1)}'
        variables[name] = text
        return f':{name}{cast(text)}'
    return re.sub(r'\$(\d+)\b', one, escape_literals(sql)), variables


def main(log_path, out_dir):
    entries = ENTRY.split(open(log_path, errors='replace').read())
    current, written, in_transaction = None, {}, set()
    for i, entry in enumerate(entries):
        executed = EXECUTE.search(entry)
        if not executed:
            continue
        sql = executed.group(1).rstrip()
        marker = MARKER.match(sql)
        if marker:
            current = marker.groups()
            continue
        pid = PID.match(entry).group(1)
        if re.match(r'(BEGIN|START TRANSACTION)\b', sql, re.I):
            in_transaction.add(pid)
        elif re.match(r'(COMMIT|ROLLBACK|END)\b', sql, re.I):
            in_transaction.discard(pid)
            continue
        # A delivery read is a lone SELECT; what else a node ran meanwhile (its leases, the change feed) writes, runs in
        # a transaction or names its own tables.
        if current is None or pid in in_transaction or not re.match(r'(SELECT|WITH)\b', sql, re.I) or BACKGROUND.search(sql):
            continue
        detail = entries[i + 1] if i + 1 < len(entries) and ' DETAIL:  parameters: ' in entries[i + 1] else ''
        folder = os.path.join(out_dir, current[0])
        os.makedirs(folder, exist_ok=True)
        statement = written.get(current[0], 0) + 1
        sql, variables = parameterised(sql, detail, f'q{statement}')
        with open(os.path.join(folder, current[1] + '.sql'), 'a') as script:
            script.write(sql.rstrip().rstrip(';') + ';\n')
        with open(os.path.join(folder, current[1] + '.vars'), 'a') as definitions:
            definitions.writelines(f'{name}={value}\n' for name, value in variables.items())
        written[current[0]] = statement
    for scenario, statements in sorted(written.items()):
        requests = len([name for name in os.listdir(os.path.join(out_dir, scenario)) if name.endswith('.sql')])
        print(f'{scenario}: {requests} requests, {statements / requests:.1f} statements a request', file=sys.stderr)


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
