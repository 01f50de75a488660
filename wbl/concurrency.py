"""No lost updates: a save names the row_version it started from.

The row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions
serialise writers), its version compared, and the save refused with the current row when
someone else saved first. Nothing is overwritten silently.
"""

from django.db import IntegrityError, transaction

from wbl.history import save_with_history


class EditConflict(Exception):
    def __init__(self, current):
        super().__init__("This record was changed by someone else.")
        self.current = current


def save_form(form, *, by, expected_version=None, before_save=None):
    """Save a valid ModelForm with its many-to-many values as one version and one history row.

    `expected_version` is the row_version the editor started from (None for a new row).
    `before_save(instance)` may set fields that do not come from the form (district, order).
    Raises EditConflict with the current row when the versions differ.
    """
    with transaction.atomic():
        instance = form.save(commit=False)
        if instance.pk is not None:
            current = type(instance).objects.select_for_update().get(pk=instance.pk)
            if expected_version is None or current.row_version != expected_version:
                raise EditConflict(current)
            instance.row_version = current.row_version + 1
        if before_save is not None:
            before_save(instance)
        save_with_history(instance, by=by, set_m2m=form.save_m2m)
    return instance


class Edit:
    """An edit of a row through a VersionedModelForm, from a POST:

        edit = Edit(request, form)
        if edit.saved:
            return redirect(...)
        return render(..., {"form": edit.form, "conflict": edit.conflict}, status=edit.status)

    On a conflict `form` is rebased on the saved row (saving again keeps the editor's values)
    and `conflict` lists both versions side by side; `status` is then 409.

    `save()` replaces save_form when the write does more than save the form (it raises
    EditConflict the same way). `on_duplicate()` returns the row someone else created a moment
    ago when the save hits a unique constraint (a one-per-set row): theirs is kept and shown
    as the conflict.
    """

    def __init__(self, request, form, *, save=None, on_duplicate=None, **save_kwargs):
        self.form, self.conflict, self.saved, self.instance = form, None, False, None
        if request.method != "POST" or not form.is_valid():
            return
        try:
            if save is None:
                self.instance = save_form(
                    form, by=request.user, expected_version=form.expected_version, **save_kwargs
                )
            else:
                self.instance = save()
        except EditConflict as exc:
            self._rebase(exc.current)
        except IntegrityError:
            if on_duplicate is None:
                raise
            self._rebase(on_duplicate())
        else:
            self.saved = True

    def _rebase(self, current):
        from wbl.forms import conflict_rows

        self.conflict = conflict_rows(self.form, current)
        self.form = self.form.rebased(current)

    @property
    def status(self) -> int:
        return 409 if self.conflict is not None else 200
