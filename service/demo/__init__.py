"""A synthetic county, written through the application: `ledger demo`.

It gives the service something real to show at first start and the benchmarks their data.
Everything is recorded as the people who would record it (an admin for the registry, township
inspectors for visits, findings and verifications, village secretaries for rectification
reports, the discipline committee for interviews and measures), in 2020, the campaign year of
the seeds. The same seed gives the same events: one `random.Random(seed)` drawn in a fixed
order, identifiers from counters.

Each part of the county's year is a module of this package, mixed into `County`
(service/demo/county.py): the registry and its members, the months' supervision, the quarter
ends' accountability, the household lifecycle and dynamic adjustment. A new part (village
exits, mismatches with deadlines) is a mixin of its own, called from `County.month`.
"""
from service.demo.county import write_county
from service.demo.plan import BUSINESS_TZ, DemoSummary, Tick

__all__ = ["BUSINESS_TZ", "DemoSummary", "Tick", "write_county"]
