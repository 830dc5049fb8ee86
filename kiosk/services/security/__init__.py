"""Hardening that every audience shares (issue 10): keeping the single event loop free,
rate limits, the login throttle, password policy, input bounds, response headers and
server-side staff sessions. Each module is small and says which attack it answers;
``docs/reliability.md`` lists the attacks and faults tried and what the tests saw."""
