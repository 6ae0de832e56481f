"""Monthly quiz competition for a Party cell.

The secretary keeps a question bank, a member list and a round schedule in one
spreadsheet; the service builds each month's quiz form from it, opens it at the
meeting time, closes it when the time is up, ranks the members and writes the
results back into the same spreadsheet.

Layout of the package (functional core, imperative shell):

- core, no I/O: ``model`` (records), ``layout`` (tabs and headers), ``text``
  (normalisation), ``bank`` (reading and validating the secretary's tabs),
  ``selection`` (which questions a round gets), ``ranking`` (scores and ranks),
  ``stats`` (question statistics and the season table), ``report`` (the results,
  statistics and season tabs), ``responsestab`` (the responses tab, read back
  exactly), ``template`` (the ``init`` template), ``tabcells`` (cell formats
  and readers those share), ``lifecycle`` (what a round's next step is), ``csvimport``
  (Google Forms response exports).
- adapters behind ``ports``: ``workbook`` (local .xlsx), ``sheets`` (Google
  Sheets), ``forms`` (Google Forms), ``localforms`` + ``webform`` (the offline
  web form).
- shell: ``tick`` (one pass of the round's life), ``service`` (the scheduler
  loop), ``cli`` (the commands).
"""

__version__ = "0.1.0"
