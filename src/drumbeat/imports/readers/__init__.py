"""Reading readings out of CSV and XLSX files, row by row, with bounded memory.

Pure: no Django, no database. A file is opened as a `Table` (`files`: rows of raw
cells, numbered as a spreadsheet shows them); `detect_layout` (`layouts`) finds the
header and how the readings are laid out (long: `kpi, at, value[, note]`; wide: a
date column and one column per KPI key); `read_readings` (`rows`) streams the
readings out of it, checking every cell (`cells`) and collecting what is wrong as
`FileProblem`s (`problems`: row, column, what, what to do). KPI definitions files
are read by `kpi_definitions`.
"""
