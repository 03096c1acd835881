"""Custom Rasa NLU components: place and ordinal entities for Chinese messages.

The components are thin: places come from the shared recognizer in
`bot.kb.places`, ordinals from `bot.nlu.ordinals`, so search and NLU agree.
"""
