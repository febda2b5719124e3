"""TrainingData.without_last: the split the offline evaluation trains and scores on."""

from __future__ import annotations

import numpy as np
import pytest

from local.recommender import TrainingData

pytestmark = pytest.mark.unit


def test_each_users_last_view_is_held_out_and_nothing_else(training_data: TrainingData) -> None:
    training, held_out = training_data.without_last("ProductViewed")

    viewed = training_data.event_codes == training_data.event_types.index("ProductViewed")
    users_with_views = np.unique(training_data.user_codes[viewed])
    assert sorted(training_data.user_codes[held_out].tolist()) == users_with_views.tolist()
    assert training.size == training_data.size - len(held_out)
    for row in held_out:
        user = training_data.user_codes[row]
        later_views = viewed & (training_data.user_codes == user) & (np.arange(training_data.size) > row)
        assert not later_views.any()
