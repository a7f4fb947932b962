# SPDX-License-Identifier: GPL-2.0
#
# A real program holding real data: python3 with an in-memory sqlite3
# database, checkpointed while it waits; after restore the data is there,
# queries and inserts work, and its interpreter state carries on.
import os
import sqlite3
import sys
import time

db = sqlite3.connect(":memory:")
db.execute("create table t (k integer primary key, v text, n real)")
db.executemany("insert into t (v, n) values (?, ?)",
               ((f"row {i}", i * 1.5) for i in range(20000)))
db.commit()
total = db.execute("select sum(n) from t").fetchone()[0]
words = {i: str(i) * 3 for i in range(5000)}
started = time.monotonic()

print("ready", flush=True)
go = os.environ["CR_GO"]
while not os.path.exists(go):
    time.sleep(0.01)

fail = []
if db.execute("select count(*) from t").fetchone()[0] != 20000:
    fail.append("row count")
if db.execute("select sum(n) from t").fetchone()[0] != total:
    fail.append("sum")
if db.execute("select v from t where k = 12345").fetchone()[0] != "row 12344":
    fail.append("row 12345")
db.execute("insert into t (v, n) values ('after', 1)")
if db.execute("select count(*) from t").fetchone()[0] != 20001:
    fail.append("insert after restore")
if any(words[i] != str(i) * 3 for i in range(5000)):
    fail.append("dict")
if time.monotonic() < started:
    fail.append("monotonic clock went back")
if fail:
    print("FAIL", ", ".join(fail), file=sys.stderr, flush=True)
    sys.exit(1)
print("ok", flush=True)
