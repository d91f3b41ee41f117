"""pipeline/report/mistakes_section.py: the gallery of the most confident mistakes, by confusion pair."""

import numpy as np

from components.serving_canary import mistakes
from pipeline.report import mistakes_section, page
from tests.support.run_details import not_blessed_run


def test_the_gallery_shows_each_confusion_pair_with_its_most_confident_mistakes():
    probabilities = np.full((6, 10), 0.01)
    probabilities[[0, 1, 2], 0] = [0.9, 0.7, 0.8]  # shirts (6) taken for T-shirts (0)
    probabilities[3, 2] = 0.6  # a coat (4) taken for a pullover (2)
    probabilities[[4, 5], [4, 5]] = 0.9  # right
    found = mistakes.confident_mistakes(probabilities, np.array([6, 6, 6, 4, 4, 5]))
    images = {i: np.full((28, 28), 40 * i, np.uint8) for i in range(4)}
    rendered = page.render(not_blessed_run(), mistakes=(found, images))
    section = rendered[rendered.index('<section id="mistakes">') :]
    section = section[: section.index("</section>")]
    assert "4 of 6 test images wrong" in section
    assert section.index("true Shirt, predicted T-shirt/top: 3 mistakes") < section.index(
        "true Coat, predicted Pullover: 1 mistakes"
    )
    assert section.count('src="data:image/png;base64,') == 2, "one row of images per pair"
    assert mistakes_section.mistakes_section(None)[1].startswith("<p>Not recorded")
