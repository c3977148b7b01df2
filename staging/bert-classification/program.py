import csv
import glob
import os
import random
import re
import socket
import string
from collections import Counter

import torch
from torch.utils.data import Dataset
from tokenizers import BertWordPieceTokenizer
from transformers import AutoTokenizer, BertTokenizerFast
from transformers.utils import logging

logging.disable_progress_bar()  # no "Loading weights" bars in the output
logging.set_verbosity_error()
random.seed(0)
torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.type == "cuda")

# data: 139 article sentences (zh) + their English translations, labelled open / closed
rows = list(csv.DictReader(open("data/stance/sentences.csv", encoding="utf-8")))
labels = ["closed", "open"]
label2id = {name: i for i, name in enumerate(labels)}
pair_ids = sorted({int(r["pair_id"]) for r in rows})
random.shuffle(pair_ids)
val_pairs = set(pair_ids[: len(pair_ids) // 5])  # split by pair: a sentence and its translation stay together
train_rows = [r for r in rows if int(r["pair_id"]) not in val_pairs]
val_rows = [r for r in rows if int(r["pair_id"]) in val_pairs]
print(f"{len(rows)} sentences -> {len(train_rows)} train / {len(val_rows)} validation "
      f"({len(val_pairs)} of {len(pair_ids)} pairs held out)")

checkpoint = os.environ.get("BERT_CHECKPOINT", "build/checkpoints/bert-articles-mlm")
if "BERT_CHECKPOINT" not in os.environ:
    # No hub here: build a WordPiece vocabulary from the articles (+ training sentences, for English words):
    # every Chinese character is a token (as in bert-base-chinese), English words seen twice or more are
    # tokens, and anything else is spelled with single letters/digits ("##x" pieces).
    # (Built by counting, not with WordPieceTrainer, whose result changes from run to run on ties.)
    corpus = [open(p, encoding="utf-8").read() for p in sorted(glob.glob("sources/0*.txt"))]
    corpus += [r["text"] for r in train_rows]
    text = "\n".join(corpus).lower()
    chars = Counter(c for c in text if not c.isspace() and not (c.isascii() and c.isalnum()))
    words = Counter(re.findall(r"[a-z]+|[0-9]+", text))
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + sorted(chars, key=lambda c: (-chars[c], c))
    vocab += sorted((w for w in words if words[w] >= 2), key=lambda w: (-words[w], w))
    vocab += [piece for c in string.ascii_lowercase + string.digits for piece in (c, "##" + c)]
    vocab = {token: i for i, token in enumerate(dict.fromkeys(vocab))}
    wordpiece = BertWordPieceTokenizer(vocab, lowercase=True, handle_chinese_chars=True)
    BertTokenizerFast(tokenizer_object=wordpiece._tokenizer).save_pretrained(checkpoint)
tokenizer = AutoTokenizer.from_pretrained(checkpoint)
print("tokens:", tokenizer.tokenize(val_rows[0]["text"])[:12])


class TextDataset(Dataset):
    def __init__(self, rows, tokenizer, max_length=64):
        # tokenizer(...) replaces the removed encode_plus; pad the whole set to one length
        self.encodings = tokenizer([r["text"] for r in rows], max_length=max_length, padding="max_length",
                                   truncation=True, return_tensors="pt")
        self.labels = torch.tensor([label2id[r["label"]] for r in rows])

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        return {"input_ids": self.encodings["input_ids"][idx],
                "attention_mask": self.encodings["attention_mask"][idx],
                "labels": self.labels[idx]}


train_dataset = TextDataset(train_rows, tokenizer)
val_dataset = TextDataset(val_rows, tokenizer)
print("one example:", {k: tuple(v.shape) for k, v in train_dataset[0].items()})
# %%
import math

from transformers import AutoConfig, AutoModelForSequenceClassification, BertConfig, BertForMaskedLM, DataCollatorForLanguageModeling


def check_checkpoint(name):
    """Fail fast when a hub id can be neither found in the local cache nor downloaded."""
    if os.path.isdir(name):
        return
    from huggingface_hub import try_to_load_from_cache

    if isinstance(try_to_load_from_cache(name, "config.json"), str):
        return  # already in the local Hugging Face cache
    if os.environ.get("HF_HUB_OFFLINE", "0").lower() not in ("1", "true", "yes"):
        try:
            socket.create_connection(("huggingface.co", 443), timeout=3).close()
            return
        except OSError:
            pass
    raise RuntimeError(
        f"checkpoint {name!r} is not a local folder and is not in the Hugging Face cache, and the hub "
        "cannot be reached. Set HF_HUB_OFFLINE=0 on a machine with network access, "
        "or unset BERT_CHECKPOINT to pre-train the small local checkpoint."
    )


if "BERT_CHECKPOINT" not in os.environ:
    # a short masked-language-modelling phase on the article text (no labels involved)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=128, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=256, max_position_embeddings=128)
    mlm = BertForMaskedLM(config).to(device)
    ids = torch.tensor(tokenizer("\n".join(corpus), add_special_tokens=False)["input_ids"])
    chunks = [[tokenizer.cls_token_id] + c.tolist() + [tokenizer.sep_token_id] for c in ids[: len(ids) // 62 * 62].view(-1, 62)]
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15)  # 15% of tokens masked, as in BERT
    optimizer = torch.optim.AdamW(mlm.parameters(), lr=1e-3, weight_decay=0.01)
    mlm.train()
    for step in range(1, 301):
        batch = collator([chunks[i] for i in random.sample(range(len(chunks)), 32)])
        with autocast:
            loss = mlm(**{k: v.to(device) for k, v in batch.items()}).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if step % 100 == 0:
            print(f"MLM step {step}: loss {loss.item():.3f}")
    mlm.save_pretrained(checkpoint)
    print(f"MLM pre-training on {len(ids):,} tokens done, saved to {checkpoint}")
check_checkpoint(checkpoint)

id2label = dict(enumerate(labels))
# the article's model line, with labels named; the classification head is new (randomly initialised)
model = AutoModelForSequenceClassification.from_pretrained(checkpoint, num_labels=2, id2label=id2label, label2id=label2id)
# the same architecture with every weight random: does the pre-training help?
torch.manual_seed(0)
scratch = AutoModelForSequenceClassification.from_config(AutoConfig.from_pretrained(checkpoint, num_labels=2, id2label=id2label, label2id=label2id))
print(type(model).__name__, f"{sum(p.numel() for p in model.parameters()) / 1e6:.2f} M parameters")
# %%
from torch.utils.data import DataLoader


def train(model, epochs=10, lr=3e-4):
    model.to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    loader = DataLoader(train_dataset, batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(0))
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for batch in loader:
            batch = {k: v.to(device) for k, v in batch.items()}  # includes labels -> outputs.loss
            optimizer.zero_grad()
            with autocast:
                outputs = model(**batch)
            outputs.loss.backward()
            optimizer.step()
            total += outputs.loss.item()
        if epoch % 5 == 4:
            print(f"  epoch {epoch + 1}: mean train loss {total / len(loader):.3f}")
    return model


@torch.no_grad()
def predict(model, dataset):
    model.eval()
    logits = []
    for batch in DataLoader(dataset, batch_size=64):
        with autocast:
            logits.append(model(input_ids=batch["input_ids"].to(device), attention_mask=batch["attention_mask"].to(device)).logits.float())
    return torch.cat(logits).argmax(-1).cpu()


print("MLM-pre-trained BERT:")
train(model)
print("from scratch:")
train(scratch)
# %%
from sklearn.metrics import accuracy_score, classification_report

y_true = val_dataset.labels
pred_pretrained, pred_scratch = predict(model, val_dataset), predict(scratch, val_dataset)
for name, pred in [("MLM-pre-trained", pred_pretrained), ("from scratch", pred_scratch)]:
    print(f"{name}: validation accuracy {accuracy_score(y_true, pred):.3f}")
    for lang in ("zh", "en"):
        keep = torch.tensor([r["lang"] == lang for r in val_rows])
        print(f"  {lang}: {accuracy_score(y_true[keep], pred[keep]):.3f}")
print("\nMLM-pre-trained, per class:")
print(classification_report(y_true, pred_pretrained, target_names=labels, digits=3))
# %%
import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay

plt.rcParams["font.sans-serif"] = ["Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "DejaVu Sans"]
fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
for ax, (name, pred) in zip(axes, [("MLM-pre-trained", pred_pretrained), ("from scratch", pred_scratch)]):
    ConfusionMatrixDisplay.from_predictions(y_true, pred, display_labels=labels, ax=ax, colorbar=False, cmap="Blues")
    ax.set_title(f"{name} (acc {accuracy_score(y_true, pred):.2f})")
fig.tight_layout()
plt.show()

print("misclassified by the MLM-pre-trained model:")
for r, p in zip(val_rows, pred_pretrained):
    if label2id[r["label"]] != p:
        print(f"  [{r['lang']}] true={r['label']:6s} predicted={labels[p]:6s} {r['text']}")
