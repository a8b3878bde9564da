#!/usr/bin/python3
"""Prints the control symbols of Mistral's SentencePiece v3 vocabulary (ids 3..770), comma-separated,
in the order spm_train must receive them so they land on the same ids as in the real tokenizer.model.v3:
0 <unk>, 1 <s>, 2 </s>, 3 [INST], 4 [/INST], 5 [TOOL_CALLS], 6 [AVAILABLE_TOOLS], 7 [/AVAILABLE_TOOLS],
8 [TOOL_RESULTS], 9 [/TOOL_RESULTS], 10..770 [control_8]..[control_768]; the 256 byte pieces follow (771..1026).
"""
NAMED = ["[INST]", "[/INST]", "[TOOL_CALLS]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]",
         "[TOOL_RESULTS]", "[/TOOL_RESULTS]"]


def control_symbols():
    return NAMED + [f"[control_{i}]" for i in range(8, 769)]


if __name__ == "__main__":
    print(",".join(control_symbols()))
