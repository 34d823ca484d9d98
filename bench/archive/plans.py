"""Keeps, from run.sh's auto_explain log, the last plan of each distinct delivery query (search and background work left
out): the plan PostgreSQL settled on after the scenario's repeats.   python3 plans.py DIR/N/plans.txt > plans-N.txt"""
import re, sys

text = open(sys.argv[1]).read()
asked = [line for line in text.splitlines() if line.startswith('GET ')]
node = re.compile(r'\t(Limit|Sort|Index|Nested|Bitmap|Seq|Aggregate|Result|Hash|Merge|Append|Unique|Incremental|Subquery|Gather)\b')
last = {}
for entry in re.split(r'^(?=\S.* LOG:  duration: )', text, flags=re.M):
    if 'LOG:  duration: ' not in entry:
        continue
    if not re.search(r'\b(published_articles|notices)\b', entry) or re.search(r'tsquery|ts_headline|ts_rank', entry):
        continue
    sql = []  # the query text: the lines before the plan's first node
    for line in entry.split('\n')[1:]:
        if node.match(line):
            break
        sql.append(line)
    last.pop('\n'.join(sql), None)
    last['\n'.join(sql)] = entry.rstrip('\n')
print('\n'.join(dict.fromkeys(asked)))
print()
print('\n\n'.join(last.values()))
