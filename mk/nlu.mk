# Understanding (issue 3): NLU training data checks, held-out tests and evaluation.
NLU_MODEL := models/nlu.tar.gz
NLU_INPUTS := config.yml $(shell find data/nlu data/jieba -type f 2>/dev/null) $(wildcard bot/nlu/*.py)

.PHONY: eval validate-nlu test-nlu rasa-test-nlu train-nlu

$(NLU_MODEL): $(INSTALLED) $(NLU_INPUTS)
	$(RASA) train nlu --config config.yml --nlu data/nlu --out models --fixed-model-name nlu --num-threads 2
	touch $@

train-nlu: $(NLU_MODEL) ## train the NLU model alone (only when NLU data or config changed)

validate-nlu: $(INSTALLED) ## check the NLU training data against config.yml and domain.yml
	$(RASA) data validate --data data/nlu --config config.yml

test-nlu: $(INSTALLED) ## pytest the NLU data, held-out sets and custom components
	$(PY) -m pytest tests/nlu -q

rasa-test-nlu: $(NLU_MODEL) ## rasa test nlu on the held-out set (reports in results/)
	$(RASA) test nlu --nlu tests/nlu/test_nlu.yml --model $(NLU_MODEL) --out results/nlu

eval: $(INSTALLED) $(DB) ## held-out intent/entity F1, hit@3 and out-of-scope accuracy vs. two baselines → docs/evaluation.md
	$(PY) -m bot.eval
