from wbl.access import Action, can


def tenancy(request):
    """The current district and what the member may do, for the header and the templates."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    return {
        "district": membership.district,
        "membership": membership,
        "perms_wbl": {action.value: can(membership, action) for action in Action},
    }
