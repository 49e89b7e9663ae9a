import os

from django.core.asgi import get_asgi_application

from comptoir.lib.files import files_private

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
files_private()  # files this process writes are its user's alone
application = get_asgi_application()
