"""Imports: readings from CSV and XLSX files, and KPI definitions from CSV, through
the web pages and the `drumbeat import` command."""
