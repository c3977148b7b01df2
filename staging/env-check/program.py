import platform

import torch
import transformers

print("Python      :", platform.python_version())
print("PyTorch     :", torch.__version__)
print("transformers:", transformers.__version__)
print("CUDA available:", torch.cuda.is_available())
if torch.cuda.is_available():
    print("GPU         :", torch.cuda.get_device_name(0), f"({torch.cuda.device_count()} device(s))")
    print("CUDA (torch):", torch.version.cuda, "| bf16 supported:", torch.cuda.is_bf16_supported())
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print("device      :", device)
x = torch.ones(2, 2, device=device)
print("test tensor :", (x @ x).sum().item(), "computed on", x.device)
