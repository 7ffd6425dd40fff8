from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "paperfeed.library"
    label = "library"
    verbose_name = "Library: collections, exports, imports"
