import math

import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


def attention(q, k, v, mask=None):
    """softmax(Q K^T / sqrt(d_k)) V, written from the formula."""
    d_k = q.size(-1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)  # (B, nh, T, T)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-1)  # each row sums to 1
    return weights @ v, weights  # (B, nh, T, hs), (B, nh, T, T)


B, n_head, T, d_model = 2, 4, 10, 64
hs = d_model // n_head
q, k, v = torch.randn(3, B, n_head, T, hs).unbind(0)  # each (B, nh, T, hs)

out, _ = attention(q, k, v)
ref = F.scaled_dot_product_attention(q, k, v)
print(f"vs scaled_dot_product_attention:                 max abs diff = {(out - ref).abs().max().item():.1e}")

# causal variant: token t may only attend to tokens 0..t
causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
out_c, _ = attention(q, k, v, mask=causal)
ref_c = F.scaled_dot_product_attention(q, k, v, is_causal=True)
print(f"causal vs scaled_dot_product_attention(causal): max abs diff = {(out_c - ref_c).abs().max().item():.1e}")

# multi-head attention with the projections of nn.MultiheadAttention
mha = nn.MultiheadAttention(d_model, n_head, batch_first=True).eval()
x = torch.randn(B, T, d_model)  # (B, T, C)
w_q, w_k, w_v = mha.in_proj_weight.chunk(3)
b_q, b_k, b_v = mha.in_proj_bias.chunk(3)


def split_heads(t):
    return t.view(B, T, n_head, hs).transpose(1, 2)  # (B, T, C) -> (B, nh, T, hs)


with torch.no_grad():
    heads, _ = attention(split_heads(x @ w_q.T + b_q), split_heads(x @ w_k.T + b_k), split_heads(x @ w_v.T + b_v))
    mine = mha.out_proj(heads.transpose(1, 2).reshape(B, T, d_model))  # (B, nh, T, hs) -> (B, T, C)
    ref_mha, _ = mha(x, x, x, need_weights=False)
print(f"vs nn.MultiheadAttention:                        max abs diff = {(mine - ref_mha).abs().max().item():.1e}")
# %%
# attention weights over the characters of a sentence from the articles
plt.rcParams["font.sans-serif"] = ["Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "DejaVu Sans"]
plt.rcParams["axes.unicode_minus"] = False

sentence = "开源模型的优势包括透明度高"
chars = list(sentence)
vocab = {c: i for i, c in enumerate(sorted(set(chars)))}
ids = torch.tensor([vocab[c] for c in chars])
embed = nn.Embedding(len(vocab), 16)  # random, untrained embeddings
with torch.no_grad():
    h = embed(ids).view(1, 1, len(chars), 16)  # (B=1, nh=1, T, hs)
    _, w_full = attention(h, h, h)
    mask = torch.tril(torch.ones(len(chars), len(chars), dtype=torch.bool))
    _, w_causal = attention(h, h, h, mask=mask)
print(f"{len(chars)} tokens:", " ".join(chars))
print("every row sums to 1:", torch.allclose(w_full.sum(-1), torch.ones(len(chars))))

fig, axes = plt.subplots(1, 2, figsize=(10, 4.6))
for ax, w, title in [(axes[0], w_full, "full (encoder)"), (axes[1], w_causal, "causal (decoder)")]:
    im = ax.imshow(w[0, 0].numpy(), cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(len(chars)), chars)
    ax.set_yticks(range(len(chars)), chars)
    ax.set_xlabel("key (attended to)")
    ax.set_ylabel("query")
    ax.set_title(title)
fig.colorbar(im, ax=axes, shrink=0.8, label="attention weight")
plt.show()
