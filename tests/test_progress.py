"""Progress from worker threads reaches the GUI a hundred times, not once per document."""

from ui.progress import Throttled


def test_progress_is_passed_on_once_per_percent_and_the_last_call_on_flush():
    seen = []
    report = Throttled(lambda done, total: seen.append((done, total)))
    for done in range(1, 1001):
        report(done, 1000)
    assert len(seen) == 101 and seen[-1] == (1000, 1000)  # 0 % … 100 %
    report(3, 7)
    report.flush()
    assert seen[-1] == (3, 7)
