import glob
import math
import os
import random
import re
import socket
from dataclasses import dataclass

import torch
from transformers.utils import logging

logging.disable_progress_bar()  # no "Loading weights" bars in the output
logging.set_verbosity_error()


@dataclass
class TrainConfig:
    vocab_size: int = 2000  # byte-level BPE trained on the articles
    n_layer: int = 2
    n_embd: int = 128
    n_head: int = 4
    n_positions: int = 256
    block_size: int = 128  # pre-training context
    batch_size: int = 16
    pretrain_lr: float = 2e-3
    max_pretrain_steps: int = 600
    eval_every: int = 25
    patience: int = 3  # stop after 3 evaluations without a better validation loss
    finetune_lr: float = 5e-4
    finetune_epochs: int = 8
    seed: int = 0


cfg = TrainConfig()
random.seed(cfg.seed)
torch.manual_seed(cfg.seed)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.type == "cuda")
print("device:", device)

# --- data: the five source articles; their FAQ chapters are held out of pre-training ---
faq_pairs, articles = [], []
for path in sorted(glob.glob("sources/0*.txt")):
    text = open(path, encoding="utf-8").read()
    start = re.search(r"#+ 9\. 附录：常见问题与解答\n", text)
    if start:
        end = re.compile(r"#+ 10\. |\*\*作者").search(text, start.end())
        stop = end.start() if end else len(text)
        faq = text[start.end():stop]
        text = text[: start.start()] + text[stop:]  # the article without its FAQ
        # questions are "#### 9.1 ...?" headings or "**Q：...？**" lines; the answer follows
        parts = re.split(r"^(?:#+ 9\.\d+ (.+)|\*\*Q：(.+?)\*\*)\n", faq, flags=re.M)
        for i in range(1, len(parts), 3):
            answer = re.sub(r"\n\n通过.*$", "", parts[i + 2].strip(), flags=re.S)  # drop the closing remark
            answer = re.sub(r"\*\*(A：)?", "", answer).strip()
            faq_pairs.append(f"Q: {(parts[i] or parts[i + 1]).strip()}\nA: {answer}")
    articles.append(text)

# pre-training split: the last 10% of every article is the validation text
pretrain_train = "\n".join(a[: int(len(a) * 0.9)] for a in articles)
pretrain_val = "\n".join(a[int(len(a) * 0.9):] for a in articles)
random.shuffle(faq_pairs)
faq_val, faq_train = faq_pairs[:4], faq_pairs[4:]
print(f"pre-training text: {len(pretrain_train):,} chars train, {len(pretrain_val):,} chars validation")
print(f"FAQ pairs (held out of pre-training): {len(faq_train)} train, {len(faq_val)} validation")
print("example:", faq_val[0].replace("\n", " | ")[:70], "...")
# %%
from tokenizers import ByteLevelBPETokenizer
from transformers import GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast


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
        "or unset GPT2_CHECKPOINT to pre-train the small local checkpoint."
    )


@torch.no_grad()
def lm_loss(model, ids, labels=None):
    model.eval()
    with autocast:
        return model(input_ids=ids.to(device), labels=(ids if labels is None else labels).to(device)).loss.item()


checkpoint = os.environ.get("GPT2_CHECKPOINT", "build/checkpoints/gpt2-articles")
pretrain_log = {"step": [], "train": [], "val": []}
if "GPT2_CHECKPOINT" not in os.environ:
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator([pretrain_train], vocab_size=cfg.vocab_size, special_tokens=["<|endoftext|>"], show_progress=False)
    tokenizer = GPT2TokenizerFast(tokenizer_object=bpe._tokenizer, bos_token="<|endoftext|>",
                                  eos_token="<|endoftext|>", unk_token="<|endoftext|>")
    train_ids = torch.tensor(tokenizer(pretrain_train)["input_ids"])
    val_ids = torch.tensor(tokenizer(pretrain_val)["input_ids"])
    print(f"tokens: {len(train_ids):,} train, {len(val_ids):,} validation ({len(pretrain_train) / len(train_ids):.2f} chars/token)")

    config = GPT2Config(vocab_size=len(tokenizer), n_positions=cfg.n_positions, n_embd=cfg.n_embd, n_layer=cfg.n_layer,
                        n_head=cfg.n_head, bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id)
    model = GPT2LMHeadModel(config).to(device)
    print(f"GPT-2 from scratch: {sum(p.numel() for p in model.parameters()) / 1e6:.2f} M parameters")
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.pretrain_lr, weight_decay=0.1)
    gen = torch.Generator().manual_seed(cfg.seed)
    n_val_blocks = len(val_ids) // cfg.block_size
    val_blocks = val_ids[: n_val_blocks * cfg.block_size].view(n_val_blocks, cfg.block_size)  # (N, T)

    best_val, bad_evals, best_state = float("inf"), 0, None
    for step in range(1, cfg.max_pretrain_steps + 1):
        model.train()
        starts = torch.randint(len(train_ids) - cfg.block_size, (cfg.batch_size,), generator=gen)
        x = torch.stack([train_ids[s: s + cfg.block_size] for s in starts]).to(device)  # (B, T)
        with autocast:
            loss = model(input_ids=x, labels=x).loss  # labels are shifted by one inside the model
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step % cfg.eval_every == 0:
            val_loss = lm_loss(model, val_blocks)
            pretrain_log["step"].append(step)
            pretrain_log["train"].append(loss.item())
            pretrain_log["val"].append(val_loss)
            if val_loss < best_val:
                best_val, bad_evals = val_loss, 0
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            else:
                bad_evals += 1
            if step % 100 == 0 or bad_evals == cfg.patience:
                print(f"step {step:4d}  train loss {loss.item():.3f}  val loss {val_loss:.3f}")
            if bad_evals == cfg.patience:
                print(f"early stop: no better validation loss for {cfg.patience} evaluations")
                break
    model.load_state_dict(best_state)
    best_step = pretrain_log["step"][pretrain_log["val"].index(best_val)]
    print(f"best checkpoint: step {best_step}, val loss {best_val:.3f}, perplexity {math.exp(best_val):.1f}")
    model.save_pretrained(checkpoint)
    tokenizer.save_pretrained(checkpoint)
    print("saved to", checkpoint)
check_checkpoint(checkpoint)
# %%
from torch.utils.data import DataLoader, Dataset
from transformers import AutoModelForCausalLM, AutoTokenizer

model = AutoModelForCausalLM.from_pretrained(checkpoint).to(device)
tokenizer = AutoTokenizer.from_pretrained(checkpoint)
tokenizer.pad_token = tokenizer.eos_token  # GPT-2 has no padding token


class FAQDataset(Dataset):
    """"Q: ... A: ..." texts, each ending with the end-of-text token."""

    def __init__(self, texts, tokenizer, max_length=cfg.n_positions):
        self.encodings = [tokenizer(t + tokenizer.eos_token, truncation=True, max_length=max_length)["input_ids"] for t in texts]

    def __len__(self):
        return len(self.encodings)

    def __getitem__(self, idx):
        return torch.tensor(self.encodings[idx])


def collate(batch):
    """Pad to the longest sequence; padded positions get label -100 (ignored by the loss)."""
    T = max(len(x) for x in batch)
    input_ids = torch.full((len(batch), T), tokenizer.pad_token_id)  # (B, T)
    labels = torch.full((len(batch), T), -100)
    attention_mask = torch.zeros(len(batch), T, dtype=torch.long)
    for i, x in enumerate(batch):
        input_ids[i, : len(x)], labels[i, : len(x)], attention_mask[i, : len(x)] = x, x, 1
    return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}


train_loader = DataLoader(FAQDataset(faq_train, tokenizer), batch_size=4, shuffle=True, collate_fn=collate,
                          generator=torch.Generator().manual_seed(cfg.seed))
val_loader = DataLoader(FAQDataset(faq_val, tokenizer), batch_size=4, collate_fn=collate)


@torch.no_grad()
def evaluate(model, loader):
    """Token-weighted mean cross-entropy over the loader, and its exponential (perplexity)."""
    model.eval()
    total, count = 0.0, 0
    for batch in loader:
        batch = {k: v.to(device) for k, v in batch.items()}
        with autocast:
            loss = model(**batch).loss
        n = (batch["labels"][:, 1:] != -100).sum().item()  # tokens that are predicted
        total, count = total + loss.item() * n, count + n
    return total / count, math.exp(total / count)


prompts = [text.split("\nA:")[0] + "\nA:" for text in faq_val[:3]]


@torch.no_grad()
def answer(model, prompt):
    model.eval()
    enc = tokenizer(prompt, return_tensors="pt").to(device)
    out = model.generate(**enc, max_new_tokens=40, do_sample=False, repetition_penalty=1.3,
                         pad_token_id=tokenizer.eos_token_id)
    return tokenizer.decode(out[0, enc["input_ids"].shape[1]:], skip_special_tokens=True).replace("\n", " ")


before_loss, before_ppl = evaluate(model, val_loader)
before_answers = [answer(model, p) for p in prompts]
print(f"before fine-tuning: FAQ validation loss {before_loss:.3f}, perplexity {before_ppl:.1f}")
# %%
optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.finetune_lr, weight_decay=0.01)
finetune_log = {"epoch": [0], "train": [None], "val": [before_loss]}
for epoch in range(1, cfg.finetune_epochs + 1):
    model.train()
    losses = []
    for batch in train_loader:
        batch = {k: v.to(device) for k, v in batch.items()}
        with autocast:
            loss = model(**batch).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    val_loss, val_ppl = evaluate(model, val_loader)
    finetune_log["epoch"].append(epoch)
    finetune_log["train"].append(sum(losses) / len(losses))
    finetune_log["val"].append(val_loss)

after_loss, after_ppl = evaluate(model, val_loader)
print(f"after fine-tuning:  FAQ validation loss {after_loss:.3f}, perplexity {after_ppl:.1f}")
for prompt, before, after in zip(prompts, before_answers, [answer(model, p) for p in prompts]):
    print("\n" + prompt.replace("\n", " "))
    print("  before:", before)
    print("  after: ", after)
# %%
import matplotlib.pyplot as plt

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
if pretrain_log["step"]:
    ax1.plot(pretrain_log["step"], pretrain_log["train"], label="train (batch)")
    ax1.plot(pretrain_log["step"], pretrain_log["val"], label="validation")
    ax1.axvline(best_step, color="gray", linestyle="--", label="kept checkpoint")
    ax1.legend()
ax1.set(title="pre-training on the articles", xlabel="step", ylabel="cross-entropy loss")
ax2.plot(finetune_log["epoch"][1:], finetune_log["train"][1:], marker="o", label="train (epoch mean)")
ax2.plot(finetune_log["epoch"], finetune_log["val"], marker="o", label="validation (held-out FAQ)")
ax2.set(title="fine-tuning on FAQ pairs", xlabel="epoch", ylabel="cross-entropy loss")
ax2.legend()
fig.tight_layout()
plt.show()
# %%
for epoch, train_loss, val_loss in zip(finetune_log["epoch"][1:], finetune_log["train"][1:], finetune_log["val"][1:]):
    print(f"Epoch: {epoch}, Loss: {train_loss:.4f}, Validation loss: {val_loss:.4f}")
# %%
model.eval()
correct = total = 0
with torch.no_grad():
    for batch in val_loader:
        batch = {k: v.to(device) for k, v in batch.items()}
        with autocast:
            logits = model(**batch).logits
        predictions = logits[:, :-1].argmax(-1)  # next-token predictions, (B, T-1)
        targets = batch["labels"][:, 1:]
        keep = targets != -100
        correct += (predictions[keep] == targets[keep]).sum().item()
        total += keep.sum().item()
accuracy = correct / total
print(f"Validation next-token accuracy: {accuracy:.3f} ({correct}/{total} tokens)")
print(f"Validation perplexity: {after_ppl:.1f}")
# %%
model.save_pretrained("build/checkpoints/gpt2-articles-faq")
tokenizer.save_pretrained("build/checkpoints/gpt2-articles-faq")
reloaded = AutoModelForCausalLM.from_pretrained("build/checkpoints/gpt2-articles-faq").to(device)
reloaded_loss, _ = evaluate(reloaded, val_loader)
print(sorted(os.listdir("build/checkpoints/gpt2-articles-faq")))
print(f"reloaded model, FAQ validation loss: {reloaded_loss:.4f} (in memory: {after_loss:.4f})")
