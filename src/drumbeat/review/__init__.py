"""The weekly rhythm: the KPI review and check-in agendas, My week, investigations."""
