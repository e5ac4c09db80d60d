"""Extensions of the ORM (``lightalchemy.ext``), as in ``sqlalchemy.ext``."""
