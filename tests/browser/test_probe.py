import time
import pytest
pytestmark = pytest.mark.browser

def test_probe(world, new_context, sign_in, assert_accessible):
    t=time.time()
    ctx = new_context(java_script_enabled=False)
    page = ctx.new_page()
    sign_in(page, world.staff)
    print("signin", time.time()-t); t=time.time()
    page.goto(world.goal_set.get_absolute_url())
    print("goto", time.time()-t); t=time.time()
    assert_accessible(page)
    print("axe nojs", time.time()-t); t=time.time()
    page2 = new_context().new_page()
    page2.goto("/accounts/login/")
    page2.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=text><p style=\"color:#ccc\">low</p>')")
    try:
        assert_accessible(page2, "deliberately broken")
    except AssertionError as e:
        print(e)
    print("axe js", time.time()-t); t=time.time()
