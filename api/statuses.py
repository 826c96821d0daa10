"""Application and item statuses, with the labels citizens and officers see."""

from __future__ import annotations

APPLICATION_STATUSES = {
    "submitted": "已提交，等待受理",
    "in_review": "审核中",
    "need_more": "需补充材料",
    "approved": "已办结",
    "partly_approved": "部分办结",
    "rejected": "未通过",
}

ITEM_STATUSES = {
    "pending": "待办理",
    "in_review": "审核中",
    "need_more": "需补充材料",
    "approved": "已办结",
    "rejected": "未通过",
}
