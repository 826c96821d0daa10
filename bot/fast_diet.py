"""DIETClassifier that loads in seconds: Rasa's DIET, trained exactly as Rasa trains it.

When Rasa loads a trained DIET it first *trains it for one step* on one example, only so that
Keras creates every variable (and the optimizer's) before the saved weights are read in. Tracing
that training step (gradients through the CRF and the transformer) is most of the Rasa server's
start-up: here the model loads in 7.5 s this way instead of 26 s. This subclass creates the
variables the way a served model uses them, by running one prediction, then reads the saved
weights and traces prediction again (the first trace holds label embeddings of the initial
weights as constants). The optimizer's state,
which only further training would need, is left out (`expect_partial`). Fine-tuning keeps Rasa's
own path.

`scripts/check_fast_diet.py` loads a model both ways and checks that intents, confidences and
entities are identical on the held-out test set (run by tests/bot/test_model.py).
"""

from __future__ import annotations

import logging
from typing import Any

import tensorflow as tf
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.diet_classifier import DIET, DIETClassifier
from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel

logger = logging.getLogger(__name__)


class FastLoadingDIET(DIET):
    """The DIET network with a loader that builds its variables by predicting, not by training."""

    @classmethod
    def load(
        cls,
        model_file_name: str,
        model_data_example: RasaModelData,
        predict_data_example: RasaModelData | None = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> RasaModel:
        if finetune_mode or predict_data_example is None:
            return super().load(
                model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs
            )
        model = cls(*args, **kwargs)
        config = kwargs.get("config", {})
        model.compile(
            optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)),
            run_eagerly=config.get(RUN_EAGERLY),
        )
        model.run_inference(predict_data_example)  # creates every variable a prediction uses
        model.load_weights(model_file_name).expect_partial()  # optimizer slots: training only
        # That first prediction cached the label embeddings of the initial weights, and its traced
        # graph holds them as constants: forget both, then trace again with the real weights.
        model.prepared_for_prediction = False
        model._tf_predict_step = None
        model.run_inference(predict_data_example)
        logger.debug("Loaded DIET from %s without a training step.", model_file_name)
        return model


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=True,
)
class FastLoadingDIETClassifier(DIETClassifier):
    """Rasa's DIETClassifier (same configuration, training and predictions), faster to load."""

    @staticmethod
    def model_class() -> type[RasaModel]:
        return FastLoadingDIET
