"""The Drumbeat web application: Django project settings, URLs and WSGI."""
