"""In-process recommender standing in for the Amazon Personalize solutions (numpy/scipy)."""

from local.recommender.data import Catalog, TrainingData, load_training_data
from local.recommender.model import ModelConfig, Recommender, ScoredItem

__all__ = ["Catalog", "ModelConfig", "Recommender", "ScoredItem", "TrainingData", "load_training_data"]
