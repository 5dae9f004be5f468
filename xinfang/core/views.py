from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render

from xinfang.core.home import home_panels
from xinfang.core.navigation import sections_for
from xinfang.org.models import Role


@login_required
def home(request):
    user = request.user
    roles = [Role(code).label for code in user.role_codes]
    return render(
        request,
        "core/home.html",
        {"roles": roles, "panels": home_panels(user), "sections": [s for s in sections_for(user) if s.key != "home"]},
    )


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def healthz(request):
    """Liveness: the process answers. Readiness checks live at /health/ (database, broker, storage)."""
    return JsonResponse({"status": "ok"})
