import torch

torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
# on a GPU, run forward passes in bfloat16 (mixed precision); on CPU keep float32
autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.type == "cuda")
print("device:", device)
# %%
import glob
import os
import socket

from tokenizers import ByteLevelBPETokenizer
from transformers import AutoModelForCausalLM, GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast
from transformers.utils import logging

logging.disable_progress_bar()  # no "Loading weights" bars in the output
logging.set_verbosity_error()


def check_checkpoint(name):
    """Fail fast when a hub id can be neither found in the local cache nor downloaded."""
    if os.path.isdir(name):
        return
    from huggingface_hub import try_to_load_from_cache

    if isinstance(try_to_load_from_cache(name, "config.json"), str):
        return  # already in the local Hugging Face cache
    offline = os.environ.get("HF_HUB_OFFLINE", "0").lower() in ("1", "true", "yes")
    if not offline:
        try:
            socket.create_connection(("huggingface.co", 443), timeout=3).close()
            return
        except OSError:
            pass
    raise RuntimeError(
        f"checkpoint {name!r} is not a local folder and is not in the Hugging Face cache, and the hub "
        "cannot be reached. Set HF_HUB_OFFLINE=0 on a machine with network access, "
        "or unset GPT2_CHECKPOINT to use the small local checkpoint."
    )


checkpoint = os.environ.get("GPT2_CHECKPOINT", "build/checkpoints/gpt2-tiny")
if "GPT2_CHECKPOINT" not in os.environ:
    # No hub here: build a tiny GPT-2 from scratch (random weights) and save it like a hub checkpoint.
    bpe = ByteLevelBPETokenizer()
    bpe.train(sorted(glob.glob("sources/*.txt")), vocab_size=2000, special_tokens=["<|endoftext|>"], show_progress=False)
    tokenizer = GPT2TokenizerFast(tokenizer_object=bpe._tokenizer, eos_token="<|endoftext|>", bos_token="<|endoftext|>", unk_token="<|endoftext|>")
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=128, n_embd=128, n_layer=2, n_head=4,
                        bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id)
    GPT2LMHeadModel(config).save_pretrained(checkpoint)
    tokenizer.save_pretrained(checkpoint)
check_checkpoint(checkpoint)

model = AutoModelForCausalLM.from_pretrained(checkpoint).to(device)
print("checkpoint:", checkpoint)
print("model class:", type(model).__name__)
print(f"parameters: {sum(p.numel() for p in model.parameters()) / 1e6:.2f} M")
# %%
from transformers import AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained(checkpoint)
tokenizer.pad_token = tokenizer.eos_token  # GPT-2 has no padding token of its own
inputs = tokenizer(["开源大模型的商业化", "Hello, my dog is cute"], padding=True, return_tensors="pt")
print("vocabulary size:", len(tokenizer))
print("input_ids shape:", tuple(inputs["input_ids"].shape))
print("attention_mask[0]:", inputs["attention_mask"][0].tolist())
print("tokens of sentence 0:", [tokenizer.decode([i]) for i in inputs["input_ids"][0][:4]])
print("round trip:", tokenizer.decode(inputs["input_ids"][0], skip_special_tokens=True))
# %%
# a from-scratch tiny model needs a much larger learning rate than fine-tuning gpt2 (1e-5 .. 5e-5)
lr = 1e-3 if "GPT2_CHECKPOINT" not in os.environ else 5e-5
optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
print(optimizer.__class__.__name__, "lr =", lr)
# %%
from torch.utils.data import DataLoader

text = open("sources/001_f3caae6a4a910e4a.txt", encoding="utf-8").read()
ids = torch.tensor(tokenizer(text)["input_ids"])
block = 64
blocks = ids[: len(ids) // block * block].view(-1, block)  # (N, T)
n_val = len(blocks) // 10
train_blocks, val_blocks = blocks[:-n_val], blocks[-n_val:]  # the last 10% of the article is held out
data_loader = DataLoader(train_blocks, batch_size=16, shuffle=True)
print(f"{len(ids)} tokens -> {len(train_blocks)} training / {len(val_blocks)} validation blocks of {block}")

num_epochs = 3
model.train()
for epoch in range(num_epochs):
    for step, input_ids in enumerate(data_loader):
        batch = {"input_ids": input_ids.to(device), "labels": input_ids.to(device)}  # labels: shifted inside the model
        optimizer.zero_grad()
        with autocast:
            outputs = model(**batch)
        loss = outputs.loss
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: last batch loss {loss.item():.3f}")
# %%
import math

from sklearn.metrics import accuracy_score

model.eval()
with torch.no_grad(), autocast:
    val = val_blocks.to(device)
    outputs = model(input_ids=val, labels=val)
predictions = outputs.logits[:, :-1].argmax(-1)  # predicted next token at each position, (N, T-1)
targets = val[:, 1:]  # the token that actually comes next, (N, T-1)
accuracy = accuracy_score(targets.flatten().cpu(), predictions.flatten().cpu())
print(f"validation loss: {outputs.loss.item():.3f}  perplexity: {math.exp(outputs.loss.item()):.1f}")
print(f"next-token accuracy: {accuracy:.3f}  (uniform guess: {1 / len(tokenizer):.4f})")
