"""Page forms and the services' errors: a service's `InvalidInput(fields={...})` shown beside the form's fields."""

from collections.abc import Callable

from xinfang.core.errors import DomainError


def apply_errors(form, exc: DomainError, *, rename: Callable[[str], str | None] | None = None, message_if_none: bool = False) -> None:
    """Each of the error's fields on the form's field of that name (`rename` maps a service's name to the form's; a name the
    form lacks goes to the form as a whole). With `message_if_none`, an error naming no field shows its message on the form."""
    placed = False
    for name, errs in (exc.fields or {}).items():
        target = rename(name) if rename else name
        if target not in form.fields:
            target = None
        for err in errs if isinstance(errs, list) else [errs]:
            form.add_error(target, str(err))
            placed = True
    if message_if_none and not placed:
        form.add_error(None, exc.message)
