"""Uploads stop being kept once they pass the CSV size limit (settings.FILE_UPLOAD_HANDLERS).

The only files the app takes are CSV imports (cycle.forms.inventory.UploadForm), and the form
refuses one over csv_io.MAX_BYTES with a message at the field. Without this handler, Django
would first write the whole upload to a temporary file, however large. This handler comes
first: it passes each file's bytes on to Django's own handlers while the file is within the
limit; after that it drops the rest (nothing more in memory or on disk) and hands the form an
empty stand-in that carries the full size, so the form's size check says how large the file
was and what the limit is, as for any other file over the limit.
"""

import io

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from cycle import csv_io


class OversizeUpload(UploadedFile):
    """A file that was over the limit: its name, type and size, but none of its content."""

    def __init__(self, name, content_type, size, charset):
        super().__init__(io.BytesIO(), name, content_type, size, charset)


class SizeLimitedUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.over = False

    def receive_data_chunk(self, raw_data, start):
        if not self.over and start + len(raw_data) > csv_io.MAX_BYTES:
            self.over = True
            self._drop_partial_files()
        return None if self.over else raw_data  # None: the next handlers get nothing more

    def _drop_partial_files(self):
        """Close (and so delete) what the next handlers kept so far, as Django's parser does
        for a skipped file: handlers keep their file as `file`."""
        for handler in self.request.upload_handlers:
            if handler is not self and getattr(handler, "file", None) is not None:
                handler.file.close()

    def file_complete(self, file_size):
        if not self.over:
            return None  # the next handler (memory or temporary file) completes it
        return OversizeUpload(self.file_name, self.content_type, file_size, self.charset)
