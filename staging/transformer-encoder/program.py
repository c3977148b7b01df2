import math
from dataclasses import dataclass

import torch
import torch.nn as nn

torch.manual_seed(0)


@dataclass
class TransformerConfig:
    vocab_size: int = 1000
    max_len: int = 128
    d_model: int = 128
    n_head: int = 4  # d_model must be divisible by n_head
    n_layers: int = 2


class Transformer(nn.Module):
    """The article's encoder stack, plus what it needs to take token ids."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.d_model)
        # fixed sinusoidal positional encoding (Vaswani et al., 2017, section 3.5)
        pos = torch.arange(config.max_len).unsqueeze(1)
        div = torch.exp(torch.arange(0, config.d_model, 2) * (-math.log(10000.0) / config.d_model))
        pe = torch.zeros(config.max_len, config.d_model)
        pe[:, 0::2] = torch.sin(pos * div)
        pe[:, 1::2] = torch.cos(pos * div)
        self.register_buffer("pe", pe)
        self.encoder = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(config.d_model, config.n_head, batch_first=True),
            config.n_layers,
            enable_nested_tensor=False,
        )

    def forward(self, idx, padding_mask=None):
        B, T = idx.shape
        x = self.embed(idx) * math.sqrt(self.config.d_model)  # (B, T, C)
        x = x + self.pe[:T]  # (B, T, C)
        return self.encoder(x, src_key_padding_mask=padding_mask)  # (B, T, C)


config = TransformerConfig()
model = Transformer(config)
model.eval()  # turn off dropout

idx = torch.randint(0, config.vocab_size, (2, 16))  # (B, T): 2 sequences of 16 token ids
with torch.no_grad():
    out = model(idx)
print("input ids:", tuple(idx.shape), idx.dtype)
print("output   :", tuple(out.shape), out.dtype)
print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")
print(f"  embedding: {model.embed.weight.numel():,}")
print(f"  encoder  : {sum(p.numel() for p in model.encoder.parameters()):,}")
